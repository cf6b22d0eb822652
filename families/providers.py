"""The AVG sections of the families app (see privacy/registry.py)."""

from privacy.registry import Section, register
from schools.models import Parent


def _detail_changes(parent: Parent) -> list[dict]:
    from families.models import DetailChange

    return [
        {
            "ingediend_op": c.created_at.isoformat(),
            "wijzigingen": c.values,
            "status": c.status,
            "besloten_op": c.decided_at.isoformat() if c.decided_at else None,
        }
        for c in DetailChange.objects.filter(parent=parent)
    ]


register(Section("eigen_wijzigingen", _detail_changes))


def _consent(parent: Parent) -> list[dict]:
    from families.models import ConsentAnswer

    answers = ConsentAnswer.objects.filter(parent=parent).select_related(
        "round", "purpose", "pupil"
    )
    return [
        {
            "schooljaar": a.round.school_year,
            "kind": a.pupil.full_name,
            "doel": a.purpose.name,
            "antwoord": a.answer,
            "gewijzigd_op": a.answered_at.isoformat(),
        }
        for a in answers.order_by("round__school_year", "pupil_id", "purpose__position")
    ]


register(Section("toestemming_beeldmateriaal", _consent))


def _restrictions(parent: Parent) -> list[dict]:
    from families.models import GuardianRestriction

    return [
        {"kind": r.pupil.full_name, "reden": r.reason, "sinds": r.created_at.isoformat()}
        for r in GuardianRestriction.objects.filter(parent=parent).select_related("pupil")
    ]


register(Section("beperkte_toegang", _restrictions))
