"""A mailing's "Vraag om reactie": one question (ja/nee or 2–6 choices) with a deadline, and
one answer per child, given in the portal by a guardian (the latest answer counts)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schools.models import Parent, Pupil

MAX_CHOICES = 6


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Ja/nee")
        CHOICE = "choice", _("Keuzes")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mailing = models.OneToOneField(
        "mailings.Mailing", on_delete=models.CASCADE, related_name="question"
    )
    prompt = models.CharField(_("vraag"), max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Answers are taken until this moment (entered as a date and time in Europe/Amsterdam).
    deadline = models.DateTimeField(_("antwoorden tot"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["yes_no", "choice"]), name="question_kind_known"
            ),
            models.CheckConstraint(condition=~Q(prompt=""), name="question_has_prompt"),
        ]

    def __str__(self) -> str:
        return self.prompt


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_once"),
            models.UniqueConstraint(fields=["question", "label"], name="choice_label_once"),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_CHOICES), name="choice_at_most_six"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="choice_has_label"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        # Ja and Nee are stored in Dutch and translated when shown; typed choices as typed.
        if self.question.kind == Question.Kind.YES_NO:
            return gettext(self.label)
        return self.label


class Answer(models.Model):
    """The answer for one child. Both guardians may answer; a later answer replaces the
    earlier one and records who gave it. Erasing or deleting the guardian removes it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="answers")
    answered_by = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "pupil"], name="answer_once_per_child"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id}: {self.choice_id}"
