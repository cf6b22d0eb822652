from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 8


def pdf(name: str = "Uitnodiging schoolreis.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def send_to_group(staff, group, *, subject="x", body="y", files=()):
    """A mailing from `staff` to all parents of `group`, as the compose page would send it."""
    from mailings.services import mailing_send

    return mailing_send(
        staff=staff,
        groups=[group],
        special_groups=[],
        parent_ids=None,
        subject=subject,
        body=body,
        files=list(files),
    )
