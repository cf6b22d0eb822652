"""Checking uploaded attachments: size limits, allowed types (by extension *and* content),
clean file names."""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_FILES = 10
MAX_FILE_SIZE = 8 * 1024 * 1024
MAX_TOTAL_SIZE = 10 * 1024 * 1024

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# Extension → (MIME type, accepted leading bytes or None for text formats).
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "heic": ("image/heic", None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ZIP,
    ),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "rtf": ("application/rtf", (b"{\\rtf",)),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
    "ics": ("text/calendar", None),
}
# Whatever the extension says, these contents are programs or active documents.
_DANGEROUS_PREFIXES = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
_DANGEROUS_MARKUP = re.compile(rb"<\s*(script|html|!doctype|svg|iframe|object)\b", re.I)


class AttachmentError(Exception):
    """One or more refused files; `problems` holds one Dutch sentence per refused file."""

    def __init__(self, message: str | list[str]):
        self.problems = [message] if isinstance(message, str) else list(message)
        self.message = " ".join(self.problems)
        super().__init__(self.message)


@dataclass(frozen=True)
class CheckedAttachment:
    upload: UploadedFile
    filename: str
    mimetype: str
    size: int


def clean_filename(raw: str) -> str:
    """Only the last path component; letters (accents folded), digits, space, dot, dash and
    underscore; no leading dots; at most 100 characters with the extension kept."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9 ._-]+", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[: 100 - len(ext) - 1].strip(" ._") or "bijlage"
    return f"{stem}.{ext.lower()}" if ext else stem


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    return head


def attachments_check(files: list[UploadedFile]) -> list[CheckedAttachment]:
    """Return the cleaned list, or raise AttachmentError naming every refused file with its
    reason (not only the first)."""
    if len(files) > MAX_FILES:
        raise AttachmentError(_("U kunt maximaal %(n)s bijlagen meesturen.") % {"n": MAX_FILES})
    checked = []
    problems = []
    total = 0
    for upload in files:
        try:
            item = _check_one(upload)
        except AttachmentError as error:
            problems.extend(error.problems)
            continue
        total += item.size
        checked.append(item)
    if problems:
        raise AttachmentError(problems)
    if total > MAX_TOTAL_SIZE:
        raise AttachmentError(
            _("De bijlagen zijn samen te groot; het maximum is %(max)s per bericht.")
            % {"max": filesizeformat(MAX_TOTAL_SIZE)}
        )
    return checked


def attachments_sort(files: list[UploadedFile]) -> tuple[list[CheckedAttachment], list[str]]:
    """Each file on its own: the accepted ones, and one Dutch sentence per refused file (the
    limits on number and total size are checked when the mailing is written)."""
    accepted, problems = [], []
    for upload in files:
        try:
            accepted.append(_check_one(upload))
        except AttachmentError as error:
            problems.extend(error.problems)
    return accepted, problems


def limits_check(*, count: int, total: int) -> None:
    if count > MAX_FILES:
        raise AttachmentError(_("U kunt maximaal %(n)s bijlagen meesturen.") % {"n": MAX_FILES})
    if total > MAX_TOTAL_SIZE:
        raise AttachmentError(
            _("De bijlagen zijn samen te groot; het maximum is %(max)s per bericht.")
            % {"max": filesizeformat(MAX_TOTAL_SIZE)}
        )


def _check_one(upload: UploadedFile) -> CheckedAttachment:
    filename = clean_filename(upload.name)
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in ALLOWED:
        raise AttachmentError(
            _(
                "Het bestand “%(name)s” kan niet worden meegestuurd: dit bestandstype is "
                "niet toegestaan. Toegestaan zijn onder meer pdf, Word, Excel, "
                "afbeeldingen en tekstbestanden."
            )
            % {"name": filename}
        )
    if upload.size == 0:
        raise AttachmentError(_("Het bestand “%(name)s” is leeg.") % {"name": filename})
    if upload.size > MAX_FILE_SIZE:
        raise AttachmentError(
            _("Het bestand “%(name)s” is te groot (%(size)s); het maximum is %(max)s.")
            % {
                "name": filename,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(MAX_FILE_SIZE),
            }
        )
    mimetype, signatures = ALLOWED[ext]
    head = _head(upload)
    dangerous = head.startswith(_DANGEROUS_PREFIXES) or (
        signatures is None and _DANGEROUS_MARKUP.search(head)
    )
    if dangerous or (signatures is not None and not head.startswith(signatures)):
        raise AttachmentError(
            _(
                "Het bestand “%(name)s” is geen geldig %(ext)s-bestand of bevat mogelijk "
                "schadelijke inhoud; het wordt niet meegestuurd."
            )
            % {"name": filename, "ext": ext}
        )
    return CheckedAttachment(upload, filename, mimetype, upload.size)
