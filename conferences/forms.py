from datetime import time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conferences.services import RoundSettings
from conferences.slots import aware
from lib.email import validate_header_value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")  # what <input type=date> reads


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _closes_at(closes_on):
    # "Tot en met" a day: closes at midnight at the end of that day.
    return aware(closes_on + timedelta(days=1), time(0, 0)) if closes_on else None


class RoundNameFields(forms.Form):
    name = forms.CharField(
        label=_("Naam"),
        max_length=120,
        required=False,
        help_text=_("Leeg: ‘Oudergesprekken’, de groep en de maand."),
    )
    location = forms.CharField(
        label=_("Plaats of videolink"),
        max_length=300,
        required=False,
        help_text=_("Bijvoorbeeld ‘Lokaal 12’ of een link naar het videogesprek. Leeg: de school."),
    )

    def clean_location(self):
        location = self.cleaned_data["location"].strip()
        validate_header_value(location)
        if location.lower().startswith(("http:", "https:")):
            forms.URLField(error_messages={"invalid": _("Dit is geen geldige link.")}).clean(
                location
            )
        return location


class RoundForm(RoundNameFields):
    group = forms.ModelChoiceField(queryset=None, label=_("Groep"), empty_label=None)
    total = forms.IntegerField(label=_("Totaal aantal gesprekken"), min_value=1, max_value=200)
    duration_minutes = forms.IntegerField(
        label=_("Duur van een gesprek (minuten)"), min_value=5, max_value=120, initial=10
    )
    per_block = forms.IntegerField(
        label=_("Aantal gesprekken zonder pauze"), min_value=1, max_value=50, initial=6
    )
    break_minutes = forms.IntegerField(
        label=_("Duur van de pauze (minuten)"), min_value=0, max_value=120, initial=10
    )
    start_date = forms.DateField(label=_("Startdatum"), widget=DateInput)
    start_time = forms.TimeField(label=_("Begintijd"), widget=TimeInput, initial=time(15, 0))
    end_time = forms.TimeField(label=_("Eindtijd"), widget=TimeInput, initial=time(18, 0))
    extra_date_1 = forms.DateField(label=_("Extra dag 1"), required=False, widget=DateInput)
    extra_date_2 = forms.DateField(label=_("Extra dag 2"), required=False, widget=DateInput)
    extra_date_3 = forms.DateField(label=_("Extra dag 3"), required=False, widget=DateInput)
    extra_date_4 = forms.DateField(label=_("Extra dag 4"), required=False, widget=DateInput)
    closes_on = forms.DateField(
        label=_("Inschrijven kan tot en met"),
        required=False,
        widget=DateInput,
        help_text=_("Leeg: tot en met de dag vóór de eerste gespreksdag."),
    )

    field_order = ["group", "name", "location"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].to_field_name = "public_id"

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("De eindtijd moet na de begintijd liggen."))
        first = data.get("start_date")
        extras = [data.get(f"extra_date_{i}") for i in range(1, 5)]
        extras = [d for d in extras if d]
        if first and first in extras or len(extras) != len(set(extras)):
            self.add_error(None, _("Geef elke dag maar één keer op."))
        days = sorted({d for d in [first, *extras] if d})
        closes_on = data.get("closes_on")
        if closes_on and days and closes_on > days[-1]:
            self.add_error("closes_on", _("Inschrijven moet sluiten vóór de laatste dag."))
        if closes_on and closes_on < timezone.localdate():
            self.add_error("closes_on", _("Deze datum ligt in het verleden."))
        if first and first < timezone.localdate():
            self.add_error("start_date", _("De startdatum ligt in het verleden."))
        return data

    def settings(self) -> RoundSettings:
        data = self.cleaned_data
        closes_at = _closes_at(data.get("closes_on"))
        return RoundSettings(
            name=data.get("name", ""),
            location=data.get("location", ""),
            group=data["group"],
            total=data["total"],
            duration_minutes=data["duration_minutes"],
            per_block=data["per_block"],
            break_minutes=data["break_minutes"],
            start_date=data["start_date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            extra_dates=tuple(d for d in (data.get(f"extra_date_{i}") for i in range(1, 5)) if d),
            closes_at=closes_at,
        )


class RoundEditForm(RoundNameFields):
    """What a teacher may change without moving a booked talk."""

    closes_on = forms.DateField(
        label=_("Inschrijven kan tot en met"),
        widget=DateInput,
        help_text=_("Ouders kiezen of wijzigen hun tijd tot en met deze dag."),
    )

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.conference = conference

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on > self.conference.days[-1]:
            raise forms.ValidationError(_("Inschrijven moet sluiten vóór de laatste dag."))
        return closes_on

    @property
    def closes_at(self):
        return _closes_at(self.cleaned_data["closes_on"])


class SlotAddForm(forms.Form):
    day = forms.DateField(label=_("Dag"), widget=DateInput)
    start = forms.TimeField(label=_("Begintijd"), widget=TimeInput)


class NotificationForm(forms.Form):
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    body = forms.CharField(label=_("Bericht"), widget=forms.Textarea(attrs={"rows": 12}))

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        validate_header_value(subject)
        return subject.strip()
