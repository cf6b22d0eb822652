"""Identity and tenancy: a login is its person's, a school sees only its own rows, and no
one takes over an account. Each test is an attack from issue 10, with two schools: De Linde
(A) and De Eik (B), whose beheerder Olaf is the attacker unless a test says otherwise."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCodeDevice, User
from audit.models import AuditEvent
from conftest import PASSWORD
from mailings.models import OutgoingMessage
from schools.models import Parent, StaffMember


def link_in(message, path: str) -> str:
    found = re.search(rf"http://\S+({re.escape(path)}\S+/)", message.body)
    assert found, f"no {path} link in {message.subject!r}"
    return found.group(1)


def edit_data(parent: Parent, **changes) -> dict:
    from parents.services import EDITABLE_FIELDS

    return {**{name: getattr(parent, name) for name in EDITABLE_FIELDS}, **changes}


def staff_login(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(
        reverse("accounts:staff_login"), {"username": email, "password": password}, **extra
    )


def totp_code(device, later: int = 0) -> str:
    import time

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


# 1. The AVG export never reaches another person's or school's mail -------------------------


def test_another_schools_export_never_holds_a_reset_link_or_mail_of_school_a(
    client, world, login, sent
):
    from accounts.mail import email_enqueue

    # School B gives its parent the address of A's directie, and of A's parent Petra.
    Parent.objects.filter(pk=world.eik_parent.pk).update(email="dirk@linde.test")
    with sent as outbox:
        Client().post(reverse("accounts:password_forgot"), {"email": "dirk@linde.test"})
        email_enqueue(
            to="dirk@linde.test",
            template="invitation",
            context={"record": world.petra, "school": world.school, "link": "x", "hours": 1},
            school=world.school,
            parent=world.petra,
        )
    assert [m.to for m in outbox] == [["dirk@linde.test"], ["dirk@linde.test"]]

    login(world.olaf)
    export = client.get(reverse("privacy:export", args=[world.eik_parent.public_id]))
    document = json.loads(export.content)
    assert document["berichten"] == []
    assert "wachtwoord-instellen" not in export.text and "De Linde" not in export.text

    # Erasing B's parent leaves A's delivery records alone.
    client.post(reverse("privacy:erase", args=[world.eik_parent.public_id]), {"confirm": "1"})
    assert not Parent.objects.filter(pk=world.eik_parent.pk).exists()
    assert OutgoingMessage.objects.filter(parent=world.petra).count() == 1
    assert OutgoingMessage.objects.filter(email="dirk@linde.test").count() == 2
    # A's Logboek shows the reset request for its directie member; B's does not.
    assert AuditEvent.objects.filter(school=world.school, action="reset_requested").exists()
    assert not AuditEvent.objects.filter(
        school=world.other_school, action="reset_requested"
    ).exists()


def test_a_sent_reset_link_is_not_readable_afterwards(world, sent):
    with sent as outbox:
        Client().post(reverse("accounts:password_forgot"), {"email": "petra@example.nl"})
    link = link_in(outbox[0], "/wachtwoord-instellen/")
    message = OutgoingMessage.objects.get(email="petra@example.nl")
    assert message.status == "sent" and message.carries_secret
    assert link not in json.dumps(message.payload)


# 2. The second factor ------------------------------------------------------------------------


def test_the_second_factor_cannot_be_replaced_with_the_password_alone(world):
    device = TOTPDevice.objects.create(user=world.anna.user, name="OCS", confirmed=True)
    thief = Client()
    assert staff_login(thief, "anna@linde.test").status_code == 302
    setup = thief.get(reverse("accounts:otp_setup"))
    assert setup.status_code == 302
    assert setup["Location"].startswith(reverse("accounts:otp_verify"))
    posted = thief.post(reverse("accounts:otp_setup"), {"token": "123456"})
    assert posted.status_code == 302
    assert list(TOTPDevice.objects.filter(user=world.anna.user)) == [device]


def test_recovery_codes_are_shown_once_and_each_works_once(world):
    anna = Client()
    staff_login(anna, "anna@linde.test")
    anna.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=world.anna.user, confirmed=False)
    shown = anna.post(reverse("accounts:otp_setup"), {"token": totp_code(device)})
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>", shown.text)
    assert len(codes) == 10
    stored = RecoveryCodeDevice.objects.get(user=world.anna.user)
    assert not any(code in json.dumps(stored.code_digests) for code in codes)

    for expected in (302, 200):  # the same code twice: the second time it is refused
        later = Client()
        staff_login(later, "anna@linde.test")
        answer = later.post(reverse("accounts:otp_verify"), {"token": codes[0].lower()})
        assert answer.status_code == expected
    assert "Deze code klopt niet" in answer.text
    assert AuditEvent.objects.filter(action="recovery_used", school=world.school).count() == 1


def test_the_beheerder_resets_a_lost_second_factor_and_the_staff_member_hears_of_it(
    client, world, login, sent
):
    TOTPDevice.objects.create(user=world.anna.user, name="OCS", confirmed=True)
    login(world.bea)
    with sent as outbox:
        client.post(reverse("accounts:staff_otp_reset", args=[world.anna.pk]))
    assert not TOTPDevice.objects.filter(user=world.anna.user).exists()
    assert [m.to for m in outbox] == [["anna@linde.test"]]
    assert "gereset" in outbox[0].subject
    event = AuditEvent.objects.get(action="2fa_reset", school=world.school)
    assert event.actor == world.bea.user


def test_another_schools_beheerder_cannot_reset_a_second_factor(client, world, login):
    TOTPDevice.objects.create(user=world.anna.user, name="OCS", confirmed=True)
    login(world.olaf)
    answer = client.post(reverse("accounts:staff_otp_reset", args=[world.anna.pk]))
    assert answer.status_code == 404
    assert TOTPDevice.objects.filter(user=world.anna.user).exists()


def test_a_beheerder_cannot_reset_the_second_factor_of_someone_who_also_works_elsewhere(
    client, world, login
):
    # Olaf's school B also employs Anna: her login holds roles at two schools.
    StaffMember.objects.create(
        school=world.other_school,
        user=world.anna.user,
        email="anna@linde.test",
        first_name="Anna",
        last_name="Docent",
    )
    device = TOTPDevice.objects.create(user=world.anna.user, name="OCS", confirmed=True)
    member_at_b = StaffMember.objects.get(school=world.other_school, user=world.anna.user)
    login(world.olaf)
    client.post(reverse("accounts:staff_otp_reset", args=[member_at_b.pk]), follow=True)
    assert list(TOTPDevice.objects.filter(user=world.anna.user)) == [device]


# 3. Invitations link only the login of the address they were sent to ----------------------


def test_an_invitation_never_hands_another_schools_login_to_the_inviter(client, world, login, sent):
    eva = world.eik_parent
    Parent.objects.filter(pk=eva.pk).update(email="anna@linde.test", user=None)
    login(world.olaf)
    with sent as first:
        client.post(reverse("accounts:invitations"), {"target": "pending"})
    to_anna = link_in(first[0], "/uitnodiging/")
    assert first[0].to == ["anna@linde.test"]
    assert User.objects.get(pk=world.anna.user.pk).email == "anna@linde.test"

    Parent.objects.filter(pk=eva.pk).update(email="olaf.prive@eik.test")
    with sent as second:
        client.post(reverse("accounts:invitations"), {"target": "pending"})
    to_olaf = link_in(second[0], "/uitnodiging/")

    stranger = Client()
    assert stranger.get(to_anna).status_code == 400  # the address changed: the link died
    page = stranger.get(to_olaf)
    assert "olaf.prive@eik.test" in page.text and "anna@linde.test" not in page.text
    stranger.post(
        to_olaf, {"password1": "een-eigen-wachtwoord", "password2": "een-eigen-wachtwoord"}
    )
    eva.refresh_from_db()
    assert eva.user.email == "olaf.prive@eik.test"
    anna = User.objects.get(pk=world.anna.user.pk)
    assert anna.email == "anna@linde.test" and anna.check_password(PASSWORD)
    assert not Parent.objects.filter(user=anna).exists()


def test_an_existing_login_joins_a_second_school_only_with_its_password(client, world, login, sent):
    """Petra has a child at De Eik too: one login, both schools, after proving it is hers."""
    at_eik = Parent.objects.create(
        school=world.other_school, email="petra@example.nl", first_name="Petra", last_name="J"
    )
    at_eik.pupils.add(world.eik_kid)
    login(world.olaf)
    with sent as outbox:
        client.post(reverse("accounts:invitations"), {"target": "pending"})
    link = link_in(outbox[0], "/uitnodiging/")
    visitor = Client()
    assert visitor.post(link, {"password": "wrong-password"}).status_code == 200
    assert Parent.objects.get(pk=at_eik.pk).user is None
    visitor.post(link, {"password": PASSWORD})
    assert Parent.objects.get(pk=at_eik.pk).user == world.petra.user
    # One login, children of both schools on the dashboard, each with its school.
    dashboard = visitor.get(reverse("portal:dashboard")).text
    assert "Sam Jansen" in dashboard and "Ezra Eik" in dashboard
    assert "De Linde" in dashboard and "De Eik" in dashboard


def test_pages_show_one_school_at_a_time_and_the_switch_only_offers_own_schools(world, sent):
    from specialgroups.models import SpecialGroup

    at_eik = Parent.objects.create(
        school=world.other_school,
        email="petra@example.nl",
        first_name="Petra",
        last_name="J",
        user=world.petra.user,
    )
    at_eik.pupils.add(world.eik_kid)
    linde_group = SpecialGroup.objects.create(school=world.school, name="Voorleesouders Linde")
    petra = Client()
    petra.post(
        reverse("accounts:parent_login"), {"username": "petra@example.nl", "password": PASSWORD}
    )
    url = reverse("specialgroups:portal_list")
    petra.post(reverse("accounts:school_switch"), {"school": "de-linde", "side": "parent"})
    assert "Voorleesouders Linde" in petra.get(url).text
    switched = petra.post(reverse("accounts:school_switch"), {"school": "de-eik", "side": "parent"})
    assert switched.status_code == 302
    assert "Voorleesouders Linde" not in petra.get(url).text
    signup = reverse("specialgroups:portal_signup", args=[linde_group.public_id])
    assert petra.post(signup).status_code == 404  # De Linde's group, seen from De Eik
    # A school where the person has no role cannot be chosen.
    from schools.models import School

    School.objects.create(name="De Zon", slug="de-zon", from_email="info@zon.test")
    assert petra.post(reverse("accounts:school_switch"), {"school": "de-zon"}).status_code == 404


# 4. A teacher with edit rights cannot take over a parent's login -----------------------------


def test_a_teacher_who_changes_a_parents_address_does_not_get_their_login(
    client, world, login, sent
):
    login(world.anna)
    url = reverse("parents:parent_edit", args=[world.petra.public_id])
    with sent as outbox:
        answer = client.post(url, edit_data(world.petra, email="anna.prive@example.nl"))
    assert answer.status_code == 302
    petra_login = User.objects.get(pk=world.petra.user.pk)
    assert petra_login.email == "petra@example.nl"
    recipients = sorted(m.to[0] for m in outbox)
    assert recipients == ["anna.prive@example.nl", "petra@example.nl"]
    notice = next(m for m in outbox if m.to == ["petra@example.nl"])
    assert "a***@e***.com" not in notice.body and "a***@e***.nl" in notice.body
    event = AuditEvent.objects.get(action="edit", object_id=str(world.petra.pk))
    assert (event.detail["old"], event.detail["new"]) == ("p***@e***.nl", "a***@e***.nl")

    # "Wachtwoord vergeten" for the new address sends nothing: it is no login.
    with sent as outbox:
        Client().post(reverse("accounts:password_forgot"), {"email": "anna.prive@example.nl"})
    assert outbox == []


def test_the_parent_confirms_a_new_address_from_the_new_mailbox(client, world, login, sent):
    login(world.anna)
    with sent as outbox:
        client.post(
            reverse("parents:parent_edit", args=[world.petra.public_id]),
            edit_data(world.petra, email="petra.nieuw@example.nl"),
        )
    confirm = link_in(next(m for m in outbox if m.to == ["petra.nieuw@example.nl"]), "/account/")
    # Someone else's session (the teacher's) cannot use it.
    assert client.post(confirm).status_code in (400, 403)
    assert User.objects.get(pk=world.petra.user.pk).email == "petra@example.nl"

    login(world.petra)
    assert "petra.nieuw@example.nl" in client.get(confirm).text
    assert User.objects.get(pk=world.petra.user.pk).email == "petra@example.nl"  # GET: nothing
    with sent as outbox:
        client.post(confirm)
    assert User.objects.get(pk=world.petra.user.pk).email == "petra.nieuw@example.nl"
    assert [m.to for m in outbox] == [["petra@example.nl"]]  # the old address is told
    assert AuditEvent.objects.filter(action="email_confirmed", school=world.school).exists()
    assert client.post(confirm).status_code == 400  # used once


# 5. No 500 from shared addresses, no probe, the same work for every address ------------------


def test_another_school_with_the_same_address_does_not_break_invitations(
    client, world, login, make_parent, sent
):
    make_parent(world.school, "gedeeld@example.nl", pupils=[world.lotte], with_login=False)
    Parent.objects.filter(pk=world.eik_parent.pk).update(email="gedeeld@example.nl", user=None)
    for beheerder in (world.olaf, world.bea):
        login(beheerder)
        with sent as outbox:
            answer = client.post(reverse("accounts:invitations"), {"target": "pending"})
        assert answer.status_code == 302
        assert [m.to for m in outbox] == [["gedeeld@example.nl"]]
    assert not User.objects.filter(email="gedeeld@example.nl").exists()


def test_the_parent_form_does_not_tell_whether_an_address_has_a_login(client, world, login):
    login(world.anna)
    answer = client.post(
        reverse("parents:parent_edit", args=[world.petra.public_id]),
        edit_data(world.petra, email="olaf@eik.test"),
    )
    assert answer.status_code == 302


def test_password_forgot_does_the_same_work_for_known_and_unknown_addresses(world):
    answers, counts = [], []
    for email in ("petra@example.nl", "niemand@example.nl"):
        with CaptureQueriesContext(connection) as queries:
            answers.append(
                Client().post(reverse("accounts:password_forgot"), {"email": email}).text
            )
        counts.append(len(queries))

    def without_nonce(text: str) -> str:
        return re.sub(r'(nonce|value)="[^"]+"', "", text)

    assert without_nonce(answers[0]) == without_nonce(answers[1])
    assert counts[0] == counts[1]


# 6. The client address behind the proxy --------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy configured: the header is the client's
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a spoofed entry on the left is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "10.0.0.1"),  # not through the proxy
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxy_count(
    rf, settings, proxies, forwarded, expected
):
    from lib.net import client_ip

    settings.OCS_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_one_client_cannot_lock_out_a_teacher_for_everyone(world, settings):
    settings.OCS_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        staff_login(
            Client(), "anna@linde.test", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy
        )
    locked = staff_login(Client(), "anna@linde.test", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert locked.status_code == 429
    at_school = staff_login(
        Client(), "anna@linde.test", HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy
    )
    assert at_school.status_code == 302
    failed = AuditEvent.objects.filter(action="login_failed", school=world.school)
    assert {e.ip_address for e in failed} == {"203.0.113.66"}
    assert AuditEvent.objects.filter(action="lockout", school=world.school).exists()


# 7. Rate limits -------------------------------------------------------------------------------


def test_password_reset_is_limited_per_address_with_a_friendly_answer(world, sent):
    with sent as outbox:
        answers = [
            Client(REMOTE_ADDR=f"192.0.2.{n}").post(
                reverse("accounts:password_forgot"), {"email": "petra@example.nl"}
            )
            for n in range(5)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert "te vaak" in answers[-1].text
    assert len(outbox) == 3


def test_password_reset_is_limited_per_client_across_addresses(world, sent):
    codes = [
        Client()
        .post(reverse("accounts:password_forgot"), {"email": f"x{n}@example.nl"})
        .status_code
        for n in range(21)
    ]
    assert codes.count(429) == 1 and codes[-1] == 429


def test_an_invitation_goes_to_one_parent_at_most_three_times_a_day(
    client, world, login, make_parent, sent
):
    make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    login(world.bea)
    with sent as outbox:
        for _ in range(5):
            client.post(reverse("accounts:invitations"), {"target": "pending"})
    assert len(outbox) == 3


# 8. Smaller holes -----------------------------------------------------------------------------


def test_a_name_with_a_line_break_is_refused(client, world, login):
    login(world.anna)
    answer = client.post(
        reverse("parents:parent_edit", args=[world.petra.public_id]),
        edit_data(world.petra, last_name="Jansen\r\nBcc: iedereen@example.nl"),
    )
    assert answer.status_code == 200
    assert "regelovergang" in answer.text
    assert Parent.objects.get(pk=world.petra.pk).last_name == "Jansen"


def test_a_mailing_body_has_a_size_limit(world):
    from mailings.models import Mailing
    from mailings.services import MAX_BODY, MailingError, mailing_send

    with pytest.raises(MailingError, match="te lang"):
        mailing_send(
            staff=world.anna,
            groups=[world.g3],
            special_groups=[],
            parent_ids=None,
            subject="Lang",
            body="x" * (MAX_BODY + 1),
            files=[],
        )
    assert not Mailing.objects.exists() and not OutgoingMessage.objects.exists()


def test_an_htmx_block_with_a_group_the_parent_is_not_in_changes_nothing(client, world, login):
    login(world.anna)
    answer = client.post(
        reverse("parents:parent_block", args=[world.petra.public_id]),
        {"group": str(world.g4.public_id)},
        HTTP_HX_REQUEST="true",
    )
    # Refused (htmx reloads the page on a 404), and nothing was written before the refusal.
    assert answer.status_code == 200 and answer.headers["HX-Refresh"] == "true"
    assert not Parent.objects.get(pk=world.petra.pk).is_blocked
    plain = client.post(
        reverse("parents:parent_block", args=[world.petra.public_id]),
        {"group": str(world.g4.public_id)},
    )
    assert plain.status_code == 404


def test_system_mail_subjects_are_plain_text(world):
    from lib.email import render_email

    world.school.name = "De <b>Linde</b> & co"
    rendered = render_email("invitation", {"record": world.petra, "school": world.school})
    assert "De <b>Linde</b> & co" in rendered.subject
    assert "De <b>Linde</b> & co" in rendered.text
    assert "&lt;b&gt;" in rendered.html


def test_logins_and_security_changes_appear_in_the_schools_logboek_only(world, settings):
    anna = Client()
    staff_login(anna, "anna@linde.test", "wrong")
    staff_login(anna, "anna@linde.test")
    anna.post(
        reverse("accounts:security"),
        {
            "old_password": PASSWORD,
            "password1": "een-nieuw-wachtwoord",
            "password2": "een-nieuw-wachtwoord",
        },
    )
    actions = set(
        AuditEvent.objects.filter(school=world.school, object_type="user").values_list(
            "action", flat=True
        )
    )
    assert {"login_failed", "login", "password_changed"} <= actions
    assert not AuditEvent.objects.filter(school=world.other_school, object_type="user").exists()
    login_event = AuditEvent.objects.get(school=world.school, action="login")
    assert login_event.actor_label.startswith("Anna Docent")


def test_a_blocked_parent_hears_by_mail_once_that_their_school_paused_access(world, sent):
    Parent.objects.filter(pk=world.petra.pk).update(is_blocked=True)
    with sent as outbox:
        for _ in range(2):
            answer = Client().post(
                reverse("accounts:parent_login"),
                {"username": "petra@example.nl", "password": PASSWORD},
            )
            assert "Onjuist e-mailadres of wachtwoord" in answer.text
        Client().post(
            reverse("accounts:parent_login"), {"username": "petra@example.nl", "password": "x"}
        )
    assert [m.to for m in outbox] == [["petra@example.nl"]]
    assert "De Linde" in outbox[0].body


def test_a_teacher_sees_contact_data_only_of_parents_of_her_own_groups(client, world, login):
    from specialgroups.models import Signup, SpecialGroup

    world.petra.phone = "06-11112222"
    world.petra.save()
    outsider = Parent.objects.create(
        school=world.school, email="lotte.ouder@example.nl", first_name="Lia", last_name="Ouder"
    )
    outsider.pupils.add(world.lotte)
    school_wide = SpecialGroup.objects.create(school=world.school, name="Luizenouders")
    Signup.objects.create(special_group=school_wide, parent=world.petra)
    Signup.objects.create(special_group=school_wide, parent=outsider)
    login(world.anna)  # teacher of Groep 3 (Sam, Petra's son); Lotte is in Groep 4
    page = client.get(reverse("specialgroups:detail", args=[school_wide.public_id])).text
    assert "petra@example.nl" in page and "06-11112222" in page
    assert "Lia Ouder" in page and "lotte.ouder@example.nl" not in page
    login(world.dirk)
    page = client.get(reverse("specialgroups:detail", args=[school_wide.public_id])).text
    assert "lotte.ouder@example.nl" in page


def test_the_operator_adds_a_school_whose_beheerder_is_invited(db, sent):
    from django.core.management import call_command

    from schools.models import School

    with sent as outbox:
        call_command(
            "create_school",
            "de-zon",
            "Basisschool De Zon",
            "--from-email=info@dezon.example.nl",
            "--admin-email=beheer@dezon.example.nl",
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
    school = School.objects.get(slug="de-zon")
    admin = StaffMember.objects.get(school=school)
    assert admin.role == "beheerder" and admin.user is None
    assert outbox[0].to == ["beheer@dezon.example.nl"]
    link = link_in(outbox[0], "/uitnodiging/")
    visitor = Client()
    visitor.post(link, {"password1": "zonnige-beheerder", "password2": "zonnige-beheerder"})
    assert visitor.get(reverse("schools:import_upload")).status_code == 200


def test_a_teacher_who_is_also_a_parent_uses_both_sides_with_one_login(client, world, login):
    """Bram teaches Groep 4 and is the father of a child in Groep 3: one login, the staff
    pages of his school and his own child's portal, never the portal of another family."""
    from schools.models import Guardianship, Parent, Pupil

    kid = Pupil.objects.create(
        school=world.school, number="1099", first_name="Bo", last_name="Bakker", group=world.g3
    )
    father = Parent.objects.create(
        school=world.school,
        user=world.bram.user,
        email="bram@linde.test",
        first_name="Bram",
        last_name="Bakker",
    )
    Guardianship.objects.create(parent=father, pupil=kid)
    login(world.bram)
    assert client.get(reverse("schools:dashboard")).status_code == 200
    portal = client.get(reverse("portal:dashboard")).text
    assert "Bo Bakker" in portal
    assert "Sam Jansen" not in portal and "Lotte Jansen" not in portal
    # As a parent he is no teacher of Groep 3: his child's group list stays closed to him.
    group_page = client.get(reverse("parents:group_detail", args=[world.g3.public_id]))
    assert group_page.status_code == 404
