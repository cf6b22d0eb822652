"""A mailing's "Vraag om reactie": the question set when composing, the parents' answers in
the portal, the teacher's tally and the reminder to families that have not answered.

Which children a parent answers for: the parent's current children in the mailing's groups.
A parent who received the mailing only through a special group (or an individual choice
among a special group's members) has no child in those groups and answers for each of their
current children at the school. Only guardians linked to a child answer for it: a guardian
restricted by the administration has no link, so no say (families/restrictions.py also
removes the answers they gave before). Both guardians may answer; the latest answer counts.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lib.email import render_email
from mailings.models import Mailing, OutgoingMessage
from mailings.question_models import MAX_CHOICES, Answer, Choice, Question
from mailings.selectors import mailing_reach
from mailings.services import MailingError, mailing_send, outbox_system_message
from schools.models import Guardianship, Parent, Pupil, School, join_name
from throttle.limits import REMINDER_PER_FAMILY, rate_hit

MAX_PROMPT = 300
MAX_LABEL = 100
YES_NO = (gettext_noop("Ja"), gettext_noop("Nee"))
DEFAULT_TIME = "17:00"


class QuestionError(MailingError):
    """Bad input for a question or an answer: a Dutch message for the user."""


@dataclass(frozen=True)
class QuestionDraft:
    """A checked question, not yet stored (it is stored with its mailing)."""

    prompt: str
    kind: str
    labels: tuple[str, ...]
    deadline: datetime.datetime


def question_draft(
    *, prompt: str, kind: str, labels: list[str], day: str, time: str, now=None
) -> QuestionDraft:
    """Check what the teacher typed under "Vraag om reactie toevoegen". The deadline is a
    date and a time in Europe/Amsterdam and must lie in the future."""
    now = now or timezone.now()
    prompt = " ".join((prompt or "").split())
    if not prompt:
        raise QuestionError(_("Typ de vraag die u de ouders stelt."))
    if len(prompt) > MAX_PROMPT:
        raise QuestionError(_("De vraag is te lang (maximaal 300 tekens)."))
    if kind == Question.Kind.YES_NO:
        labels = list(YES_NO)
    elif kind == Question.Kind.CHOICE:
        labels = [" ".join(label.split()) for label in labels]
        labels = [label for label in labels if label]
        if not 2 <= len(labels) <= MAX_CHOICES:
            raise QuestionError(_("Geef twee tot zes keuzes."))
        if any(len(label) > MAX_LABEL for label in labels):
            raise QuestionError(_("Een keuze is te lang (maximaal 100 tekens)."))
        if len({label.casefold() for label in labels}) != len(labels):
            raise QuestionError(_("Elke keuze mag maar één keer voorkomen."))
    else:
        raise QuestionError(_("Kies het soort vraag: ja/nee of keuzes."))
    try:
        deadline = datetime.datetime.combine(
            datetime.date.fromisoformat(day or ""), datetime.time.fromisoformat(time or "")
        )
    except ValueError:
        raise QuestionError(
            _("Vul een geldige datum en tijd in tot wanneer ouders kunnen antwoorden.")
        ) from None
    deadline = timezone.make_aware(deadline, timezone.get_default_timezone())
    if deadline <= now:
        raise QuestionError(_("De datum en tijd om te antwoorden moeten in de toekomst liggen."))
    return QuestionDraft(prompt=prompt, kind=kind, labels=tuple(labels), deadline=deadline)


def question_form_values(data) -> dict:
    """What the compose form holds of the question, to show it again after an error."""
    labels = list(data.getlist("question_choice"))[:MAX_CHOICES]
    prompt = data.get("question_prompt", "")
    return {
        # Asked when anything of it is filled in (the time has a default, so not that).
        "add": bool(prompt.strip() or any(x.strip() for x in labels) or data.get("question_day")),
        "prompt": prompt,
        "kind": data.get("question_kind", Question.Kind.YES_NO),
        "labels": labels + [""] * (MAX_CHOICES - len(labels)),
        "day": data.get("question_day", ""),
        "time": data.get("question_time", "") or DEFAULT_TIME,
    }


def question_from_post(data) -> QuestionDraft | None:
    """The compose form's "Vraag om reactie toevoegen", checked; None when not ticked."""
    values = question_form_values(data)
    if not values["add"]:
        return None
    return question_draft(
        prompt=values["prompt"],
        kind=values["kind"],
        labels=values["labels"],
        day=values["day"],
        time=values["time"],
    )


def question_create(*, mailing: Mailing, draft: QuestionDraft) -> Question:
    question = Question.objects.create(
        mailing=mailing, prompt=draft.prompt, kind=draft.kind, deadline=draft.deadline
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=i, label=label) for i, label in enumerate(draft.labels)
    )
    return question


def mailing_send_with_question(*, question: QuestionDraft | None, **send) -> Mailing:
    """mailing_send, and the question with it: both or neither (one transaction)."""
    with transaction.atomic():
        mailing = mailing_send(**send)
        mailing.question_created = (
            question_create(mailing=mailing, draft=question) if question else None
        )
    return mailing


def deadline_label(question: Question) -> str:
    when = timezone.localtime(question.deadline)
    return _("%(day)s om %(time)s") % {
        "day": date_format(when, "l j F Y"),
        "time": date_format(when, "H:i"),
    }


def question_is_open(question: Question, *, now=None) -> bool:
    return (now or timezone.now()) < question.deadline


# The portal -----------------------------------------------------------------------------


def _concerned(pupils: list, *, group_ids: set[int], has_special: bool) -> list:
    in_groups = [p for p in pupils if p.group_id in group_ids]
    if in_groups:
        return in_groups
    # Reached through a special group (or a mailing to special groups only): every child.
    return pupils if has_special or not group_ids else []


def question_children(*, mailing: Mailing, parent: Parent) -> list[Pupil]:
    """The children `parent` answers for (see the module's docstring). Three queries."""
    pupils = list(
        parent.pupils.filter(group__isnull=False, school_id=parent.school_id)
        .select_related("group")
        .order_by("first_name", "pk")
    )
    return _concerned(
        pupils,
        group_ids={g.pk for g in mailing.groups.all()},
        has_special=mailing.special_groups.exists(),
    )


@dataclass
class ChildAnswer:
    pupil: Pupil
    answer: Answer | None


def question_for_parent(*, mailing: Mailing, parent: Parent) -> dict | None:
    """What the message page shows of the question: the choices and, per child, the answer
    that counts now (and who gave it)."""
    question = (
        Question.objects.filter(mailing=mailing).prefetch_related("choices").first()
        if mailing is not None
        else None
    )
    if question is None:
        return None
    children = question_children(mailing=mailing, parent=parent)
    answers = {
        a.pupil_id: a
        for a in Answer.objects.filter(question=question, pupil__in=children).select_related(
            "choice", "answered_by"
        )
    }
    choices = list(question.choices.all())
    for answer in answers.values():
        answer.choice.question = question
    return {
        "question": question,
        "choices": choices,
        "children": [ChildAnswer(pupil=p, answer=answers.get(p.pk)) for p in children],
        "open": question_is_open(question),
        "deadline": deadline_label(question),
    }


def answers_save(
    *, question: Question, parent: Parent, chosen: dict[str, str], now=None
) -> list[Answer]:
    """Store the answers `parent` gave: `chosen` maps a child's public id to a choice's
    position. Refused after the deadline, for a blocked parent, and for a child the parent
    does not answer for. An unchanged answer is left as it was (and who gave it)."""
    now = now or timezone.now()
    if not question_is_open(question, now=now):
        raise QuestionError(
            _("De termijn om te antwoorden is verstreken op %(deadline)s.")
            % {"deadline": deadline_label(question)}
        )
    if parent.is_blocked:
        raise QuestionError(_("U kunt deze vraag niet beantwoorden."))
    children = {
        str(p.public_id): p for p in question_children(mailing=question.mailing, parent=parent)
    }
    choices = {str(c.position): c for c in question.choices.all()}
    if not chosen:
        raise QuestionError(_("Kies een antwoord."))
    if not set(chosen) <= set(children):
        raise QuestionError(_("U kunt alleen antwoorden voor uw eigen kinderen."))
    if not set(chosen.values()) <= set(choices):
        raise QuestionError(_("Kies een van de antwoorden."))
    saved = []
    with transaction.atomic():
        existing = {
            a.pupil_id: a
            for a in Answer.objects.select_for_update().filter(
                question=question, pupil__in=[children[k] for k in chosen]
            )
        }
        for key, position in chosen.items():
            pupil, choice = children[key], choices[position]
            answer = existing.get(pupil.pk)
            if answer is not None and answer.choice_id == choice.pk:
                continue
            if answer is None:
                answer = Answer(question=question, pupil=pupil)
                try:
                    with transaction.atomic():
                        _answer_fill(answer, choice=choice, parent=parent, now=now).save()
                except IntegrityError:
                    # The other guardian answered at this very moment: the later one counts.
                    answer = Answer.objects.select_for_update().get(question=question, pupil=pupil)
                    _answer_fill(answer, choice=choice, parent=parent, now=now).save()
            else:
                _answer_fill(answer, choice=choice, parent=parent, now=now).save(
                    update_fields=["choice", "answered_by", "answered_at"]
                )
            saved.append(answer)
    return saved


def _answer_fill(answer: Answer, *, choice: Choice, parent: Parent, now) -> Answer:
    answer.choice, answer.answered_by, answer.answered_at = choice, parent, now
    return answer


def answers_forget(*, parent: Parent, pupil: Pupil) -> int:
    """A guardian restricted for a child has no say: the answers they gave for it go."""
    deleted, _rows = Answer.objects.filter(answered_by=parent, pupil=pupil).delete()
    return deleted


# The teacher's status page --------------------------------------------------------------


@dataclass(frozen=True)
class _Child:
    pk: int
    group_id: int
    group: str
    name: str


@dataclass(frozen=True)
class AnswerRow:
    choice: Choice
    by: str
    at: datetime.datetime


@dataclass
class ChildRow:
    pupil_id: int
    name: str
    group: str
    family_key: str
    parents: list[str]
    answer: AnswerRow | None = None


@dataclass
class Tally:
    question: Question
    choices: list[tuple[Choice, int]]
    children: list[ChildRow]
    families: list = field(default_factory=list)  # reach families with a child unanswered
    open: bool = True
    deadline: str = ""

    @cached_property
    def answered(self) -> int:
        return sum(1 for c in self.children if c.answer is not None)

    @cached_property
    def unanswered(self) -> list[ChildRow]:
        return [c for c in self.children if c.answer is None]

    @property
    def reminder_text(self) -> str:
        return reminder_default_text(self.question)


def question_tally(
    *, mailing: Mailing, reach=None, groups=None, special_groups=None
) -> Tally | None:
    """Per choice the number of children, and the children (with their families) without
    an answer. A fixed number of queries, whatever the number of families."""
    try:
        question = mailing.question
    except Question.DoesNotExist:
        return None
    choices = list(question.choices.all())
    reach = reach or mailing_reach(mailing)
    recipients = {m.parent_id: m for m in reach.messages}
    family_of = {m.parent_id: f for f in reach.families for m in f.messages}
    group_ids = {g.pk for g in (mailing.groups.all() if groups is None else groups)}
    has_special = (
        mailing.special_groups.exists() if special_groups is None else bool(special_groups)
    )
    # Plain values, not model instances: a school's worth of rows stays cheap.
    links = Guardianship.objects.filter(
        parent_id__in=[*recipients], pupil__group__isnull=False
    ).values_list(
        "parent_id",
        "pupil_id",
        "pupil__group_id",
        "pupil__group__name",
        "pupil__first_name",
        "pupil__infix",
        "pupil__last_name",
    )
    per_parent: dict[int, list[_Child]] = {}
    for parent_id, pupil_id, group_id, group, first, infix, last in links:
        per_parent.setdefault(parent_id, []).append(
            _Child(pk=pupil_id, group_id=group_id, group=group, name=join_name(first, infix, last))
        )
    rows: dict[int, ChildRow] = {}
    for parent_id, pupils in per_parent.items():
        concerned = _concerned(pupils, group_ids=group_ids, has_special=has_special)
        family_key = family_of[parent_id].key
        for pupil in concerned:
            row = rows.get(pupil.pk)
            if row is None:
                row = rows[pupil.pk] = ChildRow(
                    pupil_id=pupil.pk,
                    name=pupil.name,
                    group=pupil.group,
                    family_key=family_key,
                    parents=[],
                )
            row.parents.append(recipients[parent_id].name or recipients[parent_id].email)
    answers = Answer.objects.filter(question=question, pupil_id__in=[*rows]).values_list(
        "pupil_id",
        "choice_id",
        "answered_at",
        "answered_by__first_name",
        "answered_by__infix",
        "answered_by__last_name",
    )
    by_choice = {c.pk: c for c in choices}
    counts = dict.fromkeys(by_choice, 0)
    for pupil_id, choice_id, at, first, infix, last in answers:
        rows[pupil_id].answer = AnswerRow(
            choice=by_choice[choice_id], by=join_name(first, infix, last), at=at
        )
        counts[choice_id] += 1
    children = sorted(rows.values(), key=lambda r: (r.group, r.name.lower(), r.pupil_id))
    waiting = {r.family_key for r in children if r.answer is None}
    return Tally(
        question=question,
        choices=[(c, counts[c.pk]) for c in choices],
        children=children,
        families=[f for f in reach.families if f.key in waiting],
        open=question_is_open(question),
        deadline=deadline_label(question),
    )


def answers_pdf_data(*, tally: Tally) -> list[dict]:
    """The answers per group, for the PDF: each group with its tally and its children."""
    groups: dict[str, list[ChildRow]] = {}
    for row in tally.children:
        groups.setdefault(row.group, []).append(row)
    result = []
    for name, rows in groups.items():
        counts = {c.pk: 0 for c, _n in tally.choices}
        for row in rows:
            if row.answer is not None:
                counts[row.answer.choice.pk] += 1
        summary = [f"{c.display}: {counts[c.pk]}" for c, _n in tally.choices]
        summary.append(
            _("geen antwoord: %(count)s") % {"count": sum(1 for r in rows if r.answer is None)}
        )
        result.append(
            {
                "group": name,
                "summary": " · ".join(summary),
                "rows": [
                    {
                        "child": row.name,
                        "answer": row.answer.choice.display if row.answer else "—",
                        "by": row.answer.by if row.answer else "",
                        "at": date_format(timezone.localtime(row.answer.at), "j F Y H:i")
                        if row.answer
                        else "",
                        "parents": ", ".join(row.parents),
                    }
                    for row in rows
                ],
            }
        )
    return result


# The reminder ---------------------------------------------------------------------------


def reminder_default_text(question: Question) -> str:
    return _(
        "Wij hebben nog geen antwoord van u op de vraag: “%(prompt)s”. U kunt antwoorden tot "
        "%(deadline)s in het ouderportaal. Het kost maar een minuut."
    ) % {"prompt": question.prompt, "deadline": deadline_label(question)}


@dataclass
class QuestionReminderResult:
    families: int = 0
    already_today: int = 0
    unreachable: int = 0


def question_remind(*, mailing: Mailing, text: str) -> QuestionReminderResult:
    """ "Herinnering sturen" to every family with a child whose answer is missing: a short
    mail to each guardian whose address works, with the teacher's text and the portal link.
    The same limit as the read reminder: one reminder a family a day, whatever it is about."""
    tally = question_tally(mailing=mailing)
    if tally is None:
        raise QuestionError(_("Dit bericht heeft geen vraag."))
    if not tally.open:
        raise QuestionError(_("De termijn om te antwoorden is verstreken."))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise QuestionError(_("Typ de tekst van de herinnering."))
    if len(text) > 2000:
        raise QuestionError(_("De herinnering is te lang (maximaal 2000 tekens)."))
    school: School = mailing.school
    result = QuestionReminderResult()
    link = settings.SITE_URL + reverse("mailings:portal_mailing", args=[mailing.public_id])
    parents = Parent.objects.in_bulk([m.parent_id for f in tally.families for m in f.messages])
    # Each family's guardians whose address works and who are not blocked (now).
    targets = [
        (
            family,
            [
                m
                for m in family.messages
                if m.status != OutgoingMessage.Status.FAILED
                and m.parent_id in parents
                and not parents[m.parent_id].is_blocked
            ],
        )
        for family in tally.families
    ]
    result.unreachable = sum(1 for _family, to in targets if not to)
    with transaction.atomic():
        for family, to in targets:
            if not to:
                continue
            if not rate_hit(REMINDER_PER_FAMILY, f"{school.pk}:{family.key}"):
                result.already_today += 1
                continue
            result.families += 1
            for message in to:
                parent = parents[message.parent_id]
                rendered = render_email(
                    "question_reminder",
                    {
                        "mailing": mailing,
                        "question": tally.question,
                        "school": school,
                        "parent": parent,
                        "text": text,
                        "link": link,
                    },
                )
                outbox_system_message(
                    to=message.email,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    from_email=f"{school.name} via OCS <{school.from_email}>",
                    reply_to=mailing.sender_email,
                    school=school,
                    parent=parent,
                )
    return result
