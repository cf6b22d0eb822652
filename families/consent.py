"""Toestemming beeldmateriaal: the school's purposes, a school year's round, guardians'
answers and what they add up to.

The model: per round (school year), per child and purpose, each guardian has at most one
answer: "ja", "nee", or "ingetrokken" (a "ja" turned into "nee"). What counts for the child:
with the school's "one no wins" (the default), any "nee"/"ingetrokken" means no consent, and
consent needs a "ja" from at least one guardian and no "nee"; without it, the latest answer
of any guardian counts. A child without answers is "open".
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from families.models import ConsentAnswer, ConsentPurpose, ConsentRound
from schools.models import Parent, Pupil, School

GIVEN, REFUSED, WITHDRAWN, OPEN = "ja", "nee", "ingetrokken", "open"

DEFAULT_PURPOSES = (
    (gettext_lazy("Schoolgids"), gettext_lazy("foto's in de gedrukte en digitale schoolgids")),
    (gettext_lazy("Website"), gettext_lazy("foto's en video's op de website van de school")),
    (
        gettext_lazy("Sociale media"),
        gettext_lazy("foto's en video's op de sociale media van de school"),
    ),
    (gettext_lazy("Nieuwsbrief"), gettext_lazy("foto's in de nieuwsbrief aan ouders")),
)


class ConsentError(Exception):
    """Dutch message for the user."""


def school_year_of(day=None) -> str:
    """The school year a day falls in: from 1 August. 2026-09-01 → '2026-2027'."""
    day = day or timezone.localdate()
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def consent_purposes(*, school: School) -> QuerySet[ConsentPurpose]:
    return ConsentPurpose.objects.filter(school=school, is_active=True)


def consent_round_current(*, school: School) -> ConsentRound | None:
    """The newest round the school started."""
    return ConsentRound.objects.filter(school=school).order_by("-school_year").first()


@transaction.atomic
def consent_purpose_add(
    *, school: School, name: str, description: str, request: HttpRequest | None
) -> ConsentPurpose:
    name = " ".join(name.split())
    if not name:
        raise ConsentError(_("Geef het doel een naam."))
    if ConsentPurpose.objects.filter(school=school, name__iexact=name).exists():
        raise ConsentError(_("Dit doel bestaat al."))
    position = ConsentPurpose.objects.filter(school=school).count()
    purpose = ConsentPurpose.objects.create(
        school=school, name=name, description=description.strip(), position=position
    )
    audit_record(request=request, action="create", obj=purpose, name=name)
    return purpose


@transaction.atomic
def consent_round_start(
    *, school: School, school_year: str, request: HttpRequest | None
) -> ConsentRound:
    """Start the school year's round; a school without purposes gets the usual four."""
    if ConsentRound.objects.filter(school=school, school_year=school_year).exists():
        raise ConsentError(_("De toestemming voor dit schooljaar is al gevraagd."))
    if not ConsentPurpose.objects.filter(school=school).exists():
        for position, (name, description) in enumerate(DEFAULT_PURPOSES):
            ConsentPurpose.objects.create(
                school=school, name=str(name), description=str(description), position=position
            )
    consent_round = ConsentRound.objects.create(school=school, school_year=school_year)
    audit_record(request=request, action="start", obj=consent_round, school_year=school_year)
    return consent_round


def pupils_for_consent(parent: Parent) -> QuerySet[Pupil]:
    """The children a guardian answers for at the parent's school."""
    return parent.pupils.filter(group__isnull=False, school_id=parent.school_id).select_related(
        "group"
    )


@transaction.atomic
def consent_answers_set(
    *,
    parent: Parent,
    pupil: Pupil,
    consent_round: ConsentRound,
    answers: dict[int, str],
    request: HttpRequest | None,
) -> list[str]:
    """Record a guardian's answers ({purpose pk: "ja"|"nee"}) for one child. A "nee" where
    this guardian said "ja" is a withdrawal. Returns the names of the purposes that changed."""
    if not pupils_for_consent(parent).filter(pk=pupil.pk).exists():
        raise ConsentError(_("U kunt alleen voor uw eigen kinderen antwoorden."))
    if consent_round.school_id != parent.school_id:
        raise ConsentError(_("Deze vraag hoort niet bij uw school."))
    purposes = {p.pk: p for p in consent_purposes(school=parent.school)}
    existing = {
        a.purpose_id: a
        for a in ConsentAnswer.objects.select_for_update().filter(
            round=consent_round, pupil=pupil, parent=parent
        )
    }
    changed = []
    for purpose_id, value in answers.items():
        if purpose_id not in purposes or value not in (GIVEN, REFUSED):
            raise ConsentError(_("Kies bij elk doel ja of nee."))
        before = existing.get(purpose_id)
        if value == REFUSED and before is not None and before.answer in (GIVEN, WITHDRAWN):
            value = WITHDRAWN
        if before is not None and before.answer == value:
            continue
        if before is None:
            ConsentAnswer.objects.create(
                round=consent_round, purpose_id=purpose_id, pupil=pupil, parent=parent, answer=value
            )
        else:
            before.answer = value
            before.save(update_fields=["answer", "answered_at"])
        changed.append((purposes[purpose_id].name, value))
    if changed:
        audit_record(
            request=request,
            action="consent",
            obj=parent,
            pupil_id=pupil.pk,
            school_year=consent_round.school_year,
            answers=dict(changed),
        )
    return [name for name, _value in changed]


def consent_outcome(answers: list[ConsentAnswer], *, one_no_wins: bool) -> str:
    """What a child's guardians' answers for one purpose add up to: ja, nee or open."""
    if not answers:
        return OPEN
    if one_no_wins:
        if any(a.answer != GIVEN for a in answers):
            return REFUSED
        return GIVEN
    latest = max(answers, key=lambda a: (a.answered_at, a.pk))
    return GIVEN if latest.answer == GIVEN else REFUSED


@dataclass
class ConsentRow:
    pupil: Pupil
    outcomes: list[str]  # per purpose, in the purposes' order

    @property
    def any_refused(self) -> bool:
        return REFUSED in self.outcomes

    @property
    def any_open(self) -> bool:
        return OPEN in self.outcomes


def consent_overview(
    *, consent_round: ConsentRound, pupils: list[Pupil], purposes: list[ConsentPurpose]
) -> list[ConsentRow]:
    from families.services import family_policy

    one_no_wins = family_policy(school=consent_round.school).consent_one_no_wins
    by_key: dict[tuple[int, int], list[ConsentAnswer]] = {}
    # Only guardians linked to the child now count (not a restricted or unlinked one).
    for answer in ConsentAnswer.objects.filter(
        round=consent_round,
        pupil__in=pupils,
        parent__is_blocked=False,
        parent__guardianships__pupil=F("pupil"),
    ):
        by_key.setdefault((answer.pupil_id, answer.purpose_id), []).append(answer)
    return [
        ConsentRow(
            pupil=pupil,
            outcomes=[
                consent_outcome(by_key.get((pupil.pk, p.pk), []), one_no_wins=one_no_wins)
                for p in purposes
            ],
        )
        for pupil in pupils
    ]


def parents_without_answer(*, consent_round: ConsentRound) -> QuerySet[Parent]:
    """Unblocked guardians with an e-mail address, with a child in a group, who answered for
    none of their children in this round."""
    answered = ConsentAnswer.objects.filter(round=consent_round).values("parent_id")
    return (
        Parent.objects.filter(
            school_id=consent_round.school_id,
            is_blocked=False,
            pupils__group__isnull=False,
        )
        .exclude(email="")
        .exclude(pk__in=answered)
        .distinct()
    )


@transaction.atomic
def consent_remind(*, consent_round: ConsentRound, request: HttpRequest | None) -> int:
    """Mail the guardians who have not answered (each their own copy, named in the outbox
    under their record). Limited per round so a double click does not mail everyone twice."""
    from django.conf import settings
    from django.urls import reverse

    from accounts.mail import email_enqueue
    from throttle.limits import CONSENT_REMINDER_PER_ROUND, rate_hit

    if not rate_hit(CONSENT_REMINDER_PER_ROUND, consent_round.pk):
        raise ConsentError(
            _("De herinnering is kort geleden al verstuurd. Probeer het morgen opnieuw.")
        )
    school = consent_round.school
    url = settings.SITE_URL + reverse("families:consent")
    count = 0
    for parent in parents_without_answer(consent_round=consent_round).select_related("school"):
        email_enqueue(
            to=parent.email,
            template="consent_reminder",
            context={"parent": parent, "school": school, "round": consent_round, "url": url},
            school=school,
            parent=parent,
        )
        count += 1
    ConsentRound.objects.filter(pk=consent_round.pk).update(reminded_at=timezone.now())
    audit_record(
        request=request,
        action="remind",
        obj=consent_round,
        recipients=count,
    )
    return count
