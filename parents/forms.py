import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lib.email import validate_header_value
from parents.services import EDITABLE_FIELDS, LEAVE, STAY
from schools.models import Group, Parent

PHONE_CHARS = re.compile(r"^[0-9+\-() ]+$")
POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")


def clean_phone(value: str) -> str:
    """Lenient Dutch phone numbers: digits, spaces, +, -, parentheses; at least 10 digits."""
    value = " ".join(value.split())
    if not value:
        return ""
    if not PHONE_CHARS.match(value):
        raise ValidationError(
            _("Een telefoonnummer bestaat alleen uit cijfers, spaties, +, - en haakjes.")
        )
    digits = re.sub(r"\D", "", value)
    if len(digits) < 10:
        raise ValidationError(
            _("Een telefoonnummer heeft minstens 10 cijfers, bijvoorbeeld 06-12345678.")
        )
    if len(digits) > 15:
        raise ValidationError(_("Dit telefoonnummer is te lang."))
    return value


def clean_postcode(value: str) -> str:
    """Dutch postcode, normalised to '1234 AB'."""
    value = value.strip()
    if not value:
        return ""
    match = POSTCODE.match(value)
    if match is None:
        raise ValidationError(_("Vul een postcode in als 1234 AB."))
    return f"{match.group(1)} {match.group(2).upper()}"


class ParentForm(forms.ModelForm):
    class Meta:
        model = Parent
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }
        error_messages = {
            "email": {"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
            "first_name": {"required": _("Vul een voornaam in.")},
            "last_name": {"required": _("Vul een achternaam in.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Names end up in mail headers ("Petra Jansen <petra@…>"): one line only.
        for name in ("first_name", "infix", "last_name"):
            self.fields[name].validators.append(validate_header_value)

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if not email:
            return ""
        taken = (
            Parent.objects.filter(school=self.instance.school, email__iexact=email)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            raise ValidationError(_("Dit e-mailadres hoort al bij een andere ouder."))
        return email

    def changed_data_dict(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MoveForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        label=_("Verplaats naar"),
        empty_label=_("Kies een groep"),
        to_field_name="public_id",
        error_messages={"required": _("Kies de groep waar de leerlingen naartoe gaan.")},
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, source: Group, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(school_id=source.school_id).exclude(pk=source.pk)
        self.fields["target"].queryset = groups
        self.fields["target"].label_from_instance = lambda g: g.name


class YearEndForm(forms.Form):
    """One choice per group: the next year's group, 'verlaat de school' or 'blijft staan'."""

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        groups = [row.group for row in plan.rows]
        choices = [
            (LEAVE, _("verlaat de school")),
            (STAY, _("blijft staan")),
            *[(str(g.public_id), g.name) for g in groups],
        ]
        for row in plan.rows:
            self.fields[f"g_{row.group.public_id}"] = forms.ChoiceField(
                label=row.group.name, choices=choices, initial=row.target
            )

    def rows(self):
        for row in self.plan.rows:
            yield row, self[f"g_{row.group.public_id}"]

    def clean(self):
        data = super().clean()
        for row in self.plan.rows:
            if data.get(f"g_{row.group.public_id}") == str(row.group.public_id):
                self.add_error(
                    f"g_{row.group.public_id}",
                    _("Kies een andere groep, of 'blijft staan'."),
                )
        return data

    def targets(self) -> dict[str, str]:
        return {
            str(row.group.public_id): self.cleaned_data[f"g_{row.group.public_id}"]
            for row in self.plan.rows
        }
