from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lib.csvread import Decoded, detect

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _read_csv(upload) -> Decoded:
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("Het bestand is groter dan 5 MB."))
    data = upload.read()
    if b"\x00" in data[:4096]:
        raise ValidationError(
            _("Dit is geen CSV-bestand. Sla het bestand in Excel op als 'CSV (puntkomma)'.")
        )
    return detect(data)


class ImportForm(forms.Form):
    pupils_file = forms.FileField(
        label=_("Leerlingen met ouders/verzorgers (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    staff_file = forms.FileField(
        label=_("Personeel (CSV, optioneel)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_pupils_file(self) -> Decoded:
        return _read_csv(self.cleaned_data["pupils_file"])

    def clean_staff_file(self) -> Decoded | None:
        upload = self.cleaned_data.get("staff_file")
        return _read_csv(upload) if upload else None
