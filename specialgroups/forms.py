from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.access import groups_for_staff
from schools.models import Parent, StaffMember


class SpecialGroupForm(forms.Form):
    """Without activity: a name and a hoofdgroep ("geen" = the whole school)."""

    name = forms.CharField(label=_("Naam"), max_length=100)
    main_group = forms.ModelChoiceField(
        label=_("Hoofdgroep"),
        queryset=None,
        required=False,
        empty_label=_("geen"),
        help_text=_(
            "Kies 'geen' als alle ouders van de school zich mogen inschrijven, of een groep "
            "als alleen de ouders van die groep dat mogen."
        ),
    )

    def __init__(self, *args, staff: StaffMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main_group"].queryset = groups_for_staff(staff).order_by("name")


class ActivityGroupForm(forms.Form):
    """With activity: also a description, an inclusive end date, a maximum and groups."""

    name = forms.CharField(label=_("Naam"), max_length=100)
    description = forms.CharField(
        label=_("Omschrijving van de activiteit"), required=False, widget=forms.Textarea
    )
    signup_deadline = forms.DateField(
        label=_("Einddatum van de inschrijving"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Inschrijven kan tot en met deze dag."),
    )
    max_participants = forms.IntegerField(
        label=_("Maximaal aantal ouders"), min_value=1, max_value=10000
    )
    eligible_groups = forms.ModelMultipleChoiceField(
        label=_("Groepen"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De ouders van deze groep of groepen mogen deelnemen."),
        error_messages={"required": _("Kies minstens één groep.")},
    )

    def __init__(self, *args, staff: StaffMember, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["eligible_groups"].queryset = groups_for_staff(staff).order_by("name")

    def clean_signup_deadline(self):
        deadline = self.cleaned_data["signup_deadline"]
        if self.creating and deadline < timezone.localdate():
            raise forms.ValidationError(_("De einddatum ligt in het verleden."))
        return deadline


class MemberAddForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("Ouder toevoegen"),
        queryset=Parent.objects.none(),
        empty_label=_("– kies een ouder –"),
    )

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["parent"].to_field_name = "public_id"
        self.fields["parent"].label_from_instance = _member_label


def _member_label(parent: Parent) -> str:
    if parent.email:
        return f"{parent.full_name} ({parent.email})"
    return _("%(name)s (geen e-mailadres)") % {"name": parent.full_name}
