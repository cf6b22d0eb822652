"""The PDFs (Typst): running heads, page numbers and table headers on every page, every
letter of every name, and names holding Typst's own special characters printed as they are.
Also the school-wide Ouderoverzicht."""

import io

from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from schools.models import Pupil

# Characters that mean something in Typst markup (and in its code mode).
TRICKY = "#let x = 1 $y$ [z] \\ *b* _i_ `c` <l> @r"


def pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text().replace("\xa0", " ") for page in reader.pages]


def fill_group(world, make_parent, group, count, prefix):
    for i in range(count):
        kid = Pupil.objects.create(
            school=world.school,
            number=f"{prefix}{i}",
            first_name=f"Kind{i:02d}",
            last_name="Ölçer",
            group=group,
        )
        make_parent(
            world.school,
            f"{prefix}{i}@example.nl",
            pupils=[kid],
            with_login=False,
            first_name=f"Ouder{i:02d}",
            last_name="Kowalski",
            street="Dorpsstraat",
            house_number=str(i + 1),
            postcode="8021 CA",
            city="Zwolle",
        )


def test_every_page_of_a_long_group_pdf_has_the_heads_the_header_and_its_number(
    client, world, login, make_parent
):
    fill_group(world, make_parent, world.g3, 40, "p")
    login(world.anna)
    texts = pages(client.get(reverse("parents:group_pdf", args=[world.g3.public_id])))
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert "De Linde" in text  # running head: the school
        assert "Ouderoverzicht Groep 3 ·" in text  # running head: title and date
        assert "Kind(eren)" in text and "Ouder/verzorger" in text  # the table header
        assert f"Pagina {number} van {len(texts)}" in text
    everything = "\n".join(texts)
    assert all(f"Ouder{i:02d} Kowalski" in everything for i in range(40))
    assert "41 gezinnen" in everything


def test_letters_and_typst_characters_in_names_are_printed_as_they_are(
    client, world, login, make_parent
):
    kid = Pupil.objects.create(
        school=world.school, number="T1", first_name="Şükrü", last_name="Yılmaz", group=world.g3
    )
    make_parent(
        world.school,
        "lukasz@example.nl",
        pupils=[kid],
        first_name="Łukasz é",
        last_name=TRICKY,
        city="Zwolle ]) #pagebreak()",
    )
    login(world.anna)
    text = "\n".join(pages(client.get(reverse("parents:group_pdf", args=[world.g3.public_id]))))
    squashed = text.replace("\n", " ")
    assert "Şükrü Yılmaz" in text
    assert "Łukasz é" in text
    for piece in ("#let x = 1", "$y$", "[z]", "\\", "*b*", "_i_", "`c`", "<l>", "@r"):
        assert piece in squashed, piece
    assert "#pagebreak()" in squashed
    assert len(pages(client.get(reverse("parents:group_pdf", args=[world.g3.public_id])))) == 1


def test_the_school_wide_list_has_every_group_the_staff_member_sees_one_per_section(
    client, world, login, make_parent
):
    fill_group(world, make_parent, world.g4, 35, "q")
    login(world.dirk)
    response = client.get(reverse("parents:school_pdf"))
    texts = pages(response)
    assert "Groep 3" in texts[0] and "Sam Jansen" in texts[0]
    g4_pages = [t for t in texts if "Lotte Jansen" in t or "Kowalski" in t]
    assert len(g4_pages) >= 2
    for text in g4_pages:  # the group's name heads each of its pages, with the header
        assert "Groep 4" in text and "Kind(eren)" in text
    assert "Ezra" not in "\n".join(texts)  # the other school
    event = AuditEvent.objects.get(action="download")
    assert event.object_type == "school" and event.detail["families"] == 37

    login(world.anna)  # a teacher: only her own group
    texts = pages(client.get(reverse("parents:school_pdf")))
    assert "Sam Jansen" in texts[0]
    assert "Lotte" not in "\n".join(texts) and "Groep 4" not in "\n".join(texts)


def test_the_school_wide_list_is_for_staff_only(client, world, login):
    login(world.petra)
    assert client.get(reverse("parents:school_pdf")).status_code == 403
    client.logout()
    assert client.get(reverse("parents:school_pdf")).status_code == 302
