"""Compose, send, the sent list: who may mail whom, what they are told, what is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from mailings.models import Mailing, MailingAttachment, OutgoingMessage
from mailings.services import mailing_send
from mailings.tests.helpers import PDF, pdf, send_to_group
from specialgroups.models import Signup, SpecialGroup

COMPOSE = reverse("mailings:compose")
SEND = reverse("mailings:send")


def post(client, groups=(), special=(), individual=False, parents=(), files=(), kept=(), **fields):
    data = {
        "kept": list(kept),
        "group": [str(g.public_id) for g in groups],
        "special": [str(s.public_id) for s in special],
        "parent": [str(p.public_id) for p in parents],
        "subject": fields.get("subject", "Onderwerp"),
        "body": fields.get("body", "Beste ouders"),
        "attachments": list(files),
    }
    if individual:
        data["individual"] = "1"
    return client.post(SEND, data)


@pytest.fixture
def specials(world):
    own = SpecialGroup.objects.create(
        school=world.school, name="Luizenouders 3", main_group=world.g3
    )
    other = SpecialGroup.objects.create(
        school=world.school, name="Luizenouders 4", main_group=world.g4
    )
    wide = SpecialGroup.objects.create(school=world.school, name="Ouderraad")
    activity = SpecialGroup.objects.create(
        school=world.school, name="Sinterklaas", has_activity=True
    )
    activity.eligible_groups.set([world.g4])
    foreign = SpecialGroup.objects.create(school=world.other_school, name="Eik-ouderraad")
    return {"own": own, "other": other, "wide": wide, "activity": activity, "foreign": foreign}


def test_a_teacher_may_mail_only_her_groups_and_the_special_groups_she_may_see(
    world, login, specials
):
    page = login(world.anna).get(COMPOSE).content.decode()
    assert "Groep 3" in page and "Groep 4" not in page
    assert "Luizenouders 3" in page and "Ouderraad" in page
    assert "Luizenouders 4" not in page and "Sinterklaas" not in page
    assert "Eik-ouderraad" not in page
    page = login(world.dirk).get(COMPOSE).content.decode()
    assert all(name in page for name in ["Groep 4", "Luizenouders 4", "Sinterklaas"])


def test_a_link_can_preselect_a_special_group_and_shows_the_message_form(world, login, specials):
    response = login(world.anna).get(COMPOSE, {"special": specials["own"].public_id})
    assert response.status_code == 200
    assert "Verstuur bericht" in response.content.decode()


def test_a_forged_group_is_refused_and_creates_no_messages(world, login, specials):
    client = login(world.bram)
    assert post(client, groups=[world.g3]).status_code == 404
    assert post(client, groups=[world.other_group]).status_code == 404
    assert post(client, special=[specials["own"]]).status_code == 404
    assert client.get(COMPOSE, {"group": "not-a-uuid"}).status_code == 404
    assert not Mailing.objects.exists() and not OutgoingMessage.objects.exists()


def test_a_forged_parent_is_refused_and_creates_no_messages(world, login):
    response = post(
        login(world.anna),
        groups=[world.g3],
        individual=True,
        parents=[world.petra, world.eik_parent],
    )
    assert response.status_code == 400
    assert "hoort niet bij de gekozen groepen" in response.content.decode()
    assert not OutgoingMessage.objects.exists()


def test_individual_choice_sends_only_to_the_chosen_parents(world, login):
    response = post(login(world.anna), groups=[world.g3], individual=True, parents=[world.petra])
    assert response.status_code == 302
    emails = set(OutgoingMessage.objects.values_list("email", flat=True))
    assert emails == {"petra@example.nl", "anna@linde.test"}


def test_members_of_a_special_group_are_its_recipients(world, login, specials, make_parent):
    Signup.objects.create(special_group=specials["wide"], parent=world.quinten)
    blocked = make_parent(world.school, "b@example.nl", is_blocked=True)
    Signup.objects.create(special_group=specials["wide"], parent=blocked)
    assert post(login(world.anna), special=[specials["wide"]]).status_code == 302
    emails = set(OutgoingMessage.objects.values_list("email", flat=True))
    assert emails == {"quinten@example.nl", "anna@linde.test"}


def test_the_sender_is_told_who_was_skipped_and_why(world, login, make_parent):
    make_parent(
        world.school, "geblokt@example.nl", pupils=[world.sam], first_name="Gert", is_blocked=True
    )
    make_parent(world.school, "", pupils=[world.sam], first_name="Zoë", with_login=False)
    client = login(world.anna)
    page = client.get(COMPOSE, {"group": world.g3.public_id}).content.decode()
    assert "Gert Ouder (geblokkeerd)" in page and "Zoë Ouder (geen e-mailadres)" in page
    response = post(client, groups=[world.g3], follow=True)
    response = client.get(response.url)
    page = response.content.decode()
    assert "Niet bereikt: Gert Ouder (geblokkeerd), Zoë Ouder (geen e-mailadres)." in page
    assert "Uw bericht wordt verstuurd naar 2 ouders" in page
    assert OutgoingMessage.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("virus.exe", b"MZ\x90\x00", "bestandstype is niet toegestaan"),
        ("script.js", b"alert(1)", "bestandstype is niet toegestaan"),
        ("pagina.html", b"<html>", "bestandstype is niet toegestaan"),
        ("run.bat", b"@echo off", "bestandstype is niet toegestaan"),
        ("factuur.pdf", b"MZ\x90\x00 a program", "geen geldig pdf-bestand"),
        ("lijst.txt", b"<script>alert(1)</script>", "geen geldig txt-bestand"),
    ],
)
def test_dangerous_attachments_are_refused(world, login, name, content, expected):
    response = post(login(world.anna), groups=[world.g3], files=[SimpleUploadedFile(name, content)])
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not OutgoingMessage.objects.exists() and not MailingAttachment.objects.exists()


def test_attachments_over_ten_megabytes_in_total_are_refused(world, login):
    big = PDF + b"0" * (6 * 1024 * 1024)
    response = post(
        login(world.anna), groups=[world.g3], files=[pdf("a.pdf", big), pdf("b.pdf", big)]
    )
    assert response.status_code == 400
    assert "samen te groot; het maximum is 10,0\xa0MB" in response.content.decode()
    assert not OutgoingMessage.objects.exists()


def test_file_names_are_cleaned(world):
    mailing = send_to_group(
        world.anna, world.g3, files=[pdf("..\\..\\C:/tmp/../Zoë's <rapport>;rm -rf.PDF")]
    )
    item = mailing.attachments.get()
    assert item.filename == "Zoe_s _rapport_rm -rf.pdf"
    assert item.file.name.startswith(f"mailings/{world.school.pk}/")


def test_attachments_are_served_only_to_who_may_see_the_mailing(world, login, client):
    mailing = send_to_group(world.anna, world.g3, files=[pdf()])
    item = mailing.attachments.get()
    url = reverse("mailings:attachment", args=[mailing.public_id, item.public_id])
    response = login(world.anna).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert login(world.dirk).get(url).status_code == 200
    assert login(world.bram).get(url).status_code == 404
    assert login(world.olaf).get(url).status_code == 404


def test_a_teacher_sees_her_own_mailings_and_directie_sees_all_of_the_school(world, login):
    for staff, subject in ((world.anna, "Van Anna"), (world.bram, "Van Bram")):
        mailing_send(
            staff=staff,
            groups=list(staff.groups.all()),
            special_groups=[],
            parent_ids=None,
            subject=subject,
            body="y",
            files=[],
        )
    sent = reverse("mailings:sent")
    page = login(world.anna).get(sent).content.decode()
    assert "Van Anna" in page and "Van Bram" not in page
    page = login(world.dirk).get(sent).content.decode()
    assert "Van Anna" in page and "Van Bram" in page
    assert "Van Anna" not in login(world.olaf).get(sent).content.decode()
    bram_mailing = Mailing.objects.get(subject="Van Bram")
    detail = reverse("mailings:detail", args=[bram_mailing.public_id])
    assert login(world.anna).get(detail).status_code == 404


def test_the_status_page_shows_each_recipient_and_polls_while_busy(world, login):
    mailing = send_to_group(world.anna, world.g3)
    client = login(world.anna)
    page = client.get(reverse("mailings:detail", args=[mailing.public_id])).content.decode()
    assert page.count("in de wachtrij") == 3 and 'hx-trigger="every 2s"' in page
    OutgoingMessage.objects.update(status="sent")
    fragment = client.get(
        reverse("mailings:detail", args=[mailing.public_id]), headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.count("verzonden") >= 3 and "hx-trigger" not in fragment
    assert "<html" not in fragment


def test_the_audit_log_records_the_send_with_counts_but_never_the_message(world, login):
    post(login(world.anna), groups=[world.g3], body="Geheime inhoud", files=[pdf()])
    event = AuditEvent.objects.get(action="send", object_type="mailing")
    text = str(event.__dict__)
    assert "Geheime inhoud" not in text
    assert event.detail["recipients"] == 2 and event.detail["attachments"] == 1


@pytest.mark.parametrize("size", [2, 60])
def test_the_compose_page_costs_the_same_queries_for_a_small_and_a_large_group(
    world, login, make_parent, django_assert_max_num_queries, size
):
    from schools.models import Pupil

    for i in range(size):
        pupil = Pupil.objects.create(
            school=world.school,
            number=f"9{i:03}",
            first_name=f"K{i}",
            last_name="Kind",
            group=world.g3,
        )
        make_parent(world.school, f"ouder{i}@example.nl", pupils=[pupil], with_login=False)
    client = login(world.anna)
    with django_assert_max_num_queries(14):
        response = client.get(COMPOSE, {"group": world.g3.public_id, "individual": "1"})
    assert response.content.decode().count('name="parent"') == size + 2
    send_to_group(world.anna, world.g3)
    with django_assert_max_num_queries(14):
        client.get(reverse("mailings:sent"))
    # Two more for the reach per family (recipients, their children).
    with django_assert_max_num_queries(16):
        client.get(reverse("mailings:detail", args=[Mailing.objects.get().public_id]))


def test_individual_choice_starts_with_nobody_ticked_and_groups_the_parents(world, login):
    page = (
        login(world.anna)
        .get(COMPOSE, {"group": world.g3.public_id, "individual": "1"})
        .content.decode()
    )
    assert page.count('name="parent"') == 2
    picker = page[page.index("data-recipient-picker") : page.index("question-compose")]
    assert " checked" not in picker
    assert "<h3>Groep 3</h3>" in page
    assert 'Alles<span class="visually-hidden"> in Groep 3</span>' in page


def test_every_refused_attachment_is_named_with_its_reason(world, login):
    files = [
        pdf("Goed.pdf"),
        SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        pdf("Nep.pdf", content=b"MZ not a pdf"),
        SimpleUploadedFile("leeg.txt", b"", content_type="text/plain"),
    ]
    response = post(login(world.anna), groups=[world.g3], files=files)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Deze bestanden zijn niet meegestuurd:" in page
    assert "“setup.exe” kan niet worden meegestuurd" in page
    assert "“Nep.pdf” is geen geldig pdf-bestand" in page
    assert "“leeg.txt” is leeg" in page
    assert not Mailing.objects.exists()
    # The accepted file stays with the form, ticked, to go with the next "Verstuur bericht".
    kept = page[page.index('class="kept-attachments"') :]
    assert "Goed.pdf" in kept[: kept.index("</fieldset>")]
    assert "Nep.pdf" not in kept[: kept.index("</fieldset>")]


def kept_ids(response) -> list[str]:
    import re

    return re.findall(r'name="kept" value="([0-9a-f-]+)" checked', response.content.decode())


def test_the_accepted_file_goes_with_the_next_send_without_choosing_it_again(world, login):
    from mailings.models import PendingAttachment

    client = login(world.anna)
    first = post(client, groups=[world.g3], files=[pdf("Goed.pdf"), pdf("Nep.pdf", b"MZ")])
    assert first.status_code == 400
    [kept] = kept_ids(first)
    response = post(client, groups=[world.g3], kept=[kept])
    assert response.status_code == 302
    [item] = Mailing.objects.get().attachments.all()
    assert item.filename == "Goed.pdf"
    assert item.file.read() == PDF
    assert not PendingAttachment.objects.exists()


def test_a_missing_subject_keeps_the_files_too(world, login):
    client = login(world.anna)
    first = post(client, groups=[world.g3], files=[pdf("Rooster.pdf")], subject="")
    assert first.status_code == 400 and "Vul een onderwerp in." in first.content.decode()
    assert len(kept_ids(first)) == 1
    post(client, groups=[world.g3], kept=kept_ids(first))
    assert Mailing.objects.get().attachments.get().filename == "Rooster.pdf"


def test_a_file_kept_for_someone_else_is_never_attached(world, login):
    client = login(world.bram)
    [others] = kept_ids(post(client, groups=[world.g4], files=[pdf("Van Bram.pdf")], subject=""))
    response = post(login(world.anna), groups=[world.g3], kept=[others, "not-a-uuid"])
    assert response.status_code == 302
    assert not Mailing.objects.get().attachments.exists()


def test_unticking_a_kept_file_leaves_it_out_and_retention_removes_it(world, login):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from mailings.models import PendingAttachment
    from privacy.services import retention_run

    client = login(world.anna)
    post(client, groups=[world.g3], files=[pdf("Oud.pdf")], subject="")
    post(client, groups=[world.g3])  # sent without the kept file
    assert not Mailing.objects.get().attachments.exists()
    pending = PendingAttachment.objects.get()
    assert default_storage.exists(pending.file.name)
    PendingAttachment.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert retention_run()["pending_attachments"] == 1
    assert not PendingAttachment.objects.exists()
    assert not default_storage.exists(pending.file.name)
