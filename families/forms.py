from django import forms

from families.services import SELF_SERVICE_FIELDS
from parents.forms import ParentForm


class MyDetailsForm(ParentForm):
    """The parent's own correction: contact fields only, validated as in the Ouderoverzicht."""

    class Meta(ParentForm.Meta):
        fields = list(SELF_SERVICE_FIELDS)
        widgets = {
            **ParentForm.Meta.widgets,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)


class PolicyForm(forms.Form):
    approve_changes = forms.BooleanField(required=False)


class PurposeForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Geef het doel een naam."})
    description = forms.CharField(max_length=300, required=False)


class ConsentSettingsForm(forms.Form):
    consent_one_no_wins = forms.BooleanField(required=False)


class RestrictionForm(forms.Form):
    link = forms.ChoiceField(error_messages={"required": "Kies de ouder en het kind."})
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Vul de reden in (bijvoorbeeld een uitspraak van de rechter)."},
    )

    def __init__(self, *args, links, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [("", "—")] + [
            (
                f"{link.parent.public_id}:{link.pupil.public_id}",
                f"{link.parent.full_name} — {link.pupil.full_name} ({link.pupil.group.name})",
            )
            for link in links
        ]
