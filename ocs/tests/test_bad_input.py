"""User text is data, never markup or headers (properties checked with hypothesis)."""

from django.template import Context, Template
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lib.email import strip_header_breaks

LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@given(st.text())
def test_header_values_never_contain_a_line_break(value):
    cleaned = strip_header_breaks(value)
    assert not any(ch in cleaned for ch in LINE_BREAKS)


@given(st.text(), st.text())
def test_an_injected_header_stays_part_of_the_value(before, after):
    cleaned = strip_header_breaks(f"{before}\r\nBcc: victim@example.nl\n{after}")
    assert "\n" not in cleaned and "\r" not in cleaned
    assert "Bcc: victim@example.nl" in cleaned


@given(st.text())
def test_user_text_in_templates_is_always_escaped(value):
    rendered = Template("<p>{{ value }}</p>").render(Context({"value": value}))
    inner = rendered[3:-4]
    assert "<" not in inner and ">" not in inner and '"' not in inner


def test_a_parent_named_script_shows_as_text_on_their_portal(client, world, login):
    world.petra.first_name = "<script>alert(1)</script>"
    world.petra.save()
    login(world.petra)
    page = client.get(reverse("portal:dashboard"))
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_pupil_named_script_shows_as_text_on_the_teachers_pages(client, world, login):
    world.g3.name = "<img src=x onerror=alert(1)>"
    world.g3.save()
    login(world.anna)
    page = client.get(reverse("schools:dashboard"))
    assert "<img src=x" not in page.text


@given(st.text(), st.sampled_from(list(LINE_BREAKS)), st.text())
def test_header_fields_with_any_line_break_are_rejected(before, brk, after):
    import pytest
    from django.core.exceptions import ValidationError

    from lib.email import validate_header_value

    with pytest.raises(ValidationError):
        validate_header_value(before + brk + after)


@given(st.text().filter(lambda t: not any(ch in t for ch in LINE_BREAKS)))
def test_header_fields_without_line_breaks_pass(value):
    from lib.email import validate_header_value

    validate_header_value(value)


def test_a_forged_mailing_subject_with_a_line_break_is_refused_and_sends_nothing(
    client, world, login
):
    from mailings.models import Mailing, OutgoingMessage

    login(world.anna)
    response = client.post(
        reverse("mailings:send"),
        {"group": str(world.g3.public_id), "subject": "Hallo\r\nBcc: x@evil.test", "body": "Hoi"},
    )
    assert response.status_code == 400
    assert "mag geen regelovergang bevatten" in response.text
    assert not Mailing.objects.exists() and not OutgoingMessage.objects.exists()


def test_a_conference_notification_subject_with_a_line_break_is_refused():
    from conferences.forms import NotificationForm

    form = NotificationForm(data={"subject": "Gesprekken\nBcc: x@evil.test", "body": "Hoi"})
    assert not form.is_valid()
    assert "mag geen regelovergang bevatten" in str(form.errors["subject"])
