"""The Ouderoverzicht as PDF (Typst, see lib/pdf.py): one group, or every group of the
school, each family with its children, parents, contact details and address."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lib.pdf import document_data, render_typst
from parents.selectors import Family


def _family(family: Family) -> dict:
    parents = []
    for link in family.guardianships:
        p = link.parent
        address = []
        if p.street or p.house_number:
            address.append(f"{p.street}\u00a0{p.house_number}".strip())
        address.append(f"{p.postcode} {p.city}".strip())
        contact = [p.email or "—"] + ([p.phone] if p.phone else [])
        parents.append(
            {
                "name": p.full_name,
                "relation": str(link.get_relation_display()),
                "contact": contact,
                "address": [line for line in address if line],
            }
        )
    return {"children": [pupil.full_name for pupil in family.pupils], "parents": parents}


def families_pdf(
    *, school, title: str, subtitle: str, generated_on, sections: list[tuple[str | None, list]]
) -> bytes:
    """`sections`: (caption or None, families) per group; a caption heads every page of its
    group (the school-wide list), None leaves it out (one group, named in the title)."""
    data = document_data(title=title, subtitle=subtitle, school=school, generated_on=generated_on)
    blocked_note = _("geblokkeerde ouders staan niet in deze lijst")
    data.update(
        titles=[_("Kind(eren)"), _("Ouder/verzorger"), _("E-mail en telefoon"), _("Adres")],
        no_parent=_("geen ouder of verzorger bekend"),
        sections=[
            {
                "caption": caption,
                "note": ngettext("%(counter)s gezin", "%(counter)s gezinnen", len(families))
                % {"counter": len(families)}
                + " · "
                + blocked_note,
                "families": [_family(f) for f in families],
            }
            for caption, families in sections
        ],
    )
    return render_typst("families.typ", data)
