import io
import re

from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from schools.models import Guardianship, Pupil
from schools.services import parent_set_blocked


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    # Street and house number are joined by a no-break space so they wrap together.
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_group_pdf_lists_families_with_dutch_headings_and_is_audited(client, world, login):
    login(world.anna)
    response = client.get(reverse("parents:group_pdf", args=[world.g3.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response)
    for heading in ("Ouderoverzicht Groep 3", "De Linde", "Kind(eren)", "Ouder/verzorger", "Adres"):
        assert heading in text
    assert "Pagina 1 van 1" in text
    # Petra and Quinten share Sam: one family
    assert "1 gezin" in text
    assert "Petra Jansen" in text and "Quinten Jansen" in text and "Sam Jansen" in text
    assert "Lotte" not in text
    event = AuditEvent.objects.get(action="download")
    assert event.object_type == "group" and event.object_id == str(world.g3.pk)


def test_blocked_parents_are_not_in_the_pdf(client, world, login):
    parent_set_blocked(parent=world.petra, blocked=True)
    login(world.anna)
    text = pdf_text(client.get(reverse("parents:group_pdf", args=[world.g3.public_id])))
    assert "Quinten Jansen" in text
    assert "Petra" not in text and "petra@example.nl" not in text


def test_a_parent_with_children_in_two_groups_is_in_both_pdfs(client, world, login):
    login(world.dirk)
    g3 = pdf_text(client.get(reverse("parents:group_pdf", args=[world.g3.public_id])))
    g4 = pdf_text(client.get(reverse("parents:group_pdf", args=[world.g4.public_id])))
    assert "quinten@example.nl" in g3 and "quinten@example.nl" in g4
    assert "Sam Jansen" in g3 and "Lotte Jansen" in g4


def test_families_are_sorted_by_the_childs_last_name_and_show_contact_details(
    client, world, login, make_parent
):
    zoe = Pupil.objects.create(
        school=world.school, number="3001", first_name="Zoë", last_name="Aalders", group=world.g3
    )
    make_parent(
        world.school,
        "ruud@example.nl",
        pupils=[zoe],
        first_name="Ruud",
        last_name="Aalders",
        phone="038-4211234",
        street="Thorbeckegracht",
        house_number="7",
        postcode="8011 VM",
        city="Zwolle",
    )
    login(world.anna)
    text = pdf_text(client.get(reverse("parents:group_pdf", args=[world.g3.public_id])))
    assert text.index("Zoë Aalders") < text.index("Sam Jansen")
    assert "038-4211234" in text and "Thorbeckegracht 7" in text and "8011 VM Zwolle" in text
    assert "2 gezinnen" in text


def test_a_child_without_a_parent_is_listed_as_such(client, world, login):
    Pupil.objects.create(
        school=world.school, number="3002", first_name="Noor", last_name="Bakker", group=world.g3
    )
    login(world.anna)
    text = pdf_text(client.get(reverse("parents:group_pdf", args=[world.g3.public_id])))
    assert "Noor Bakker" in text and "geen ouder of verzorger bekend" in text


def test_long_names_wrap_instead_of_being_cut_off(client, world, login, make_parent):
    long_last = "Van Ravenstein-Hoogendijk tot Bergh en Wijngaarden-Schimmelpenninck"
    kid = Pupil.objects.create(
        school=world.school,
        number="3003",
        first_name="Maximiliaan-Alexander",
        last_name=long_last,
        group=world.g3,
    )
    make_parent(
        world.school,
        "maximiliaan.alexander.vanravenstein-hoogendijk@een-heel-lange-domeinnaam.example.nl",
        pupils=[kid],
        first_name="Anne-Wil Frederique",
        last_name=long_last,
        street="Burgemeester van Roijensingel-Noordzijde",
        house_number="1234-bis",
        postcode="8011 AB",
        city="Zwolle",
    )
    login(world.anna)
    response = client.get(reverse("parents:group_pdf", args=[world.g3.public_id]))
    with open("/tmp/parents-long-names.pdf", "wb") as out:
        out.write(response.content)
    flat = squash(pdf_text(response))
    assert squash(f"Anne-Wil Frederique {long_last}") in flat
    assert (
        squash("maximiliaan.alexander.vanravenstein-hoogendijk@een-heel-lange-domeinnaam") in flat
    )
    assert squash("Burgemeester van Roijensingel-Noordzijde 1234-bis") in flat


def test_a_big_group_runs_over_pages_with_page_numbers(client, world, login, fill_group):
    fill_group(world.g3, 30)
    Guardianship.objects.filter(parent=world.petra).delete()
    login(world.anna)
    response = client.get(reverse("parents:group_pdf", args=[world.g3.public_id]))
    with open("/tmp/parents-group-30.pdf", "wb") as out:
        out.write(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 2
    assert f"Pagina {pages} van {pages}" in reader.pages[-1].extract_text()
    text = pdf_text(response)
    assert "31 gezinnen" in text
    assert "Familie0000" in text and "Familie0029" in text
