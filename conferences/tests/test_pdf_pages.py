"""The round PDF (Typst) over several pages: the day's name, the column titles, the running
heads and the page number on every page; names with Typst's special characters as they are."""

import io
from datetime import time

from django.urls import reverse
from django.utils.formats import date_format
from pypdf import PdfReader

from conferences.services import slot_book
from conferences.tests.conftest import slot_at
from parents.tests.test_pdf_pages import TRICKY
from schools.models import Pupil


def pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    return [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]


def test_every_page_of_a_long_round_names_the_day_and_repeats_the_header(
    client, world, login, make_round, make_parent, first_day
):
    conference = make_round(total=70, start=time(8, 0), end=time(20, 0), duration=10, per_block=70)
    kid = Pupil.objects.create(
        school=world.school, number="T1", first_name="Ayşe", last_name=TRICKY, group=world.g3
    )
    parent = make_parent(world.school, "l@example.nl", pupils=[kid], first_name="Łucja ı é")
    slot_book(parent=parent, conference=conference, pupil=kid, slot_id=slot_at(conference, 8, 0).pk)
    login(world.anna)
    texts = pages(client.get(reverse("conferences:round_pdf", args=[conference.public_id])))
    assert len(texts) >= 2
    day = date_format(first_day, "l j F Y")
    for number, text in enumerate(texts, start=1):
        assert "De Linde" in text and f"{conference.name} ·" in text  # running heads
        assert day in text and "Tijd" in text and "Ouder(s)" in text
        assert f"Pagina {number} van {len(texts)}" in text
    first = " ".join(texts[0].split())
    assert "08:00–08:10" in first
    assert f"Ayşe {TRICKY}" in first
    assert "Łucja ı é" in first
