from datetime import time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conferences.forms import DateInput, TimeInput
from conferences.models import ConferencePeriod
from conferences.periods import PeriodSettings
from conferences.slots import aware


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=100, initial=_("Oudergesprekken"))
    mode = forms.ChoiceField(
        label=_("Manier van plannen"),
        choices=ConferencePeriod.Mode.choices,
        widget=forms.RadioSelect,
        initial=ConferencePeriod.Mode.FIRST_COME,
    )
    groups = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Groepen"), widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.IntegerField(
        label=_("Duur van een gesprek (minuten)"), min_value=5, max_value=120, initial=10
    )
    per_block = forms.IntegerField(
        label=_("Aantal gesprekken zonder pauze"), min_value=1, max_value=50, initial=6
    )
    break_minutes = forms.IntegerField(
        label=_("Duur van de pauze (minuten)"), min_value=0, max_value=120, initial=10
    )
    walk_minutes = forms.IntegerField(
        label=_("Looptijd tussen twee lokalen (minuten)"), min_value=0, max_value=60, initial=5
    )
    interpreters = forms.IntegerField(
        label=_("Aantal tolken tegelijk"),
        min_value=0,
        max_value=20,
        initial=1,
        help_text=_(
            "Bij voorkeuren: zoveel gesprekken met 'tolk nodig' plant OCS tegelijk "
            "(0: geen grens, ouders regelen zelf een tolk)."
        ),
    )
    spare = forms.IntegerField(
        label=_("Extra tijden per groep"),
        min_value=0,
        max_value=50,
        initial=2,
        help_text=_("Naast één tijd per kind: voor aparte gesprekken en om te schuiven."),
    )
    start_date = forms.DateField(label=_("Startdatum"), widget=DateInput)
    start_time = forms.TimeField(label=_("Begintijd"), widget=TimeInput, initial=time(15, 0))
    end_time = forms.TimeField(label=_("Eindtijd"), widget=TimeInput, initial=time(18, 0))
    extra_date_1 = forms.DateField(label=_("Extra dag 1"), required=False, widget=DateInput)
    extra_date_2 = forms.DateField(label=_("Extra dag 2"), required=False, widget=DateInput)
    closes_on = forms.DateField(
        label=_("Inschrijven of voorkeuren geven kan tot en met"),
        required=False,
        widget=DateInput,
        help_text=_("Leeg: tot en met de dag vóór de eerste gespreksdag."),
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["groups"].to_field_name = "public_id"

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("De eindtijd moet na de begintijd liggen."))
        first = data.get("start_date")
        extras = [d for d in (data.get("extra_date_1"), data.get("extra_date_2")) if d]
        if first and first in extras or len(extras) != len(set(extras)):
            self.add_error(None, _("Geef elke dag maar één keer op."))
        if first and first < timezone.localdate():
            self.add_error("start_date", _("De startdatum ligt in het verleden."))
        days = sorted({d for d in [first, *extras] if d})
        closes_on = data.get("closes_on")
        if closes_on and days and closes_on >= days[0]:
            self.add_error("closes_on", _("Inschrijven moet sluiten vóór de eerste gespreksdag."))
        if closes_on and closes_on < timezone.localdate():
            self.add_error("closes_on", _("Deze datum ligt in het verleden."))
        return data

    def settings(self) -> PeriodSettings:
        data = self.cleaned_data
        closes_on = data.get("closes_on")
        return PeriodSettings(
            name=data["name"].strip(),
            mode=data["mode"],
            groups=tuple(data["groups"]),
            duration_minutes=data["duration_minutes"],
            per_block=data["per_block"],
            break_minutes=data["break_minutes"],
            start_date=data["start_date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            extra_dates=tuple(d for d in (data.get("extra_date_1"), data.get("extra_date_2")) if d),
            walk_minutes=data["walk_minutes"],
            spare=data["spare"],
            interpreters=data["interpreters"],
            closes_at=aware(closes_on + timedelta(days=1), time(0, 0)) if closes_on else None,
        )
