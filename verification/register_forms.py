"""Forms of the verification registers: the type lists, the verifier cards, the marks stock."""

from django import forms
from django.utils.translation import gettext_lazy as _

from competence.forms import lab_staff
from lims.models import User
from verification.models import MarkKind, MarkState

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
MAX_FILE = 2 * 1024 * 1024


class TypeListImportForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    legal_basis = forms.CharField(label=_("legal basis"), widget=forms.Textarea(attrs={"rows": 2}))
    effective_on = forms.DateField(label=_("effective from"), **DATE)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, with the columns code, number, name_vi, name_en, controls, interval_months, "
            "recommendation: the export of the list in force is a good start."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE:
            raise forms.ValidationError(_("The file is larger than 2 MB: it is not a list."))
        return upload


class CardForm(forms.Form):
    person = forms.ModelChoiceField(label=_("verifier"), queryset=User.objects.none())
    card_number = forms.CharField(label=_("card number"), max_length=40)
    type_code = forms.ChoiceField(label=_("instrument type"))
    issued_by = forms.CharField(label=_("issued by"), max_length=200)
    valid_from = forms.DateField(label=_("valid from"), **DATE)
    valid_until = forms.DateField(label=_("valid until"), **DATE)
    reason = forms.CharField(label=_("note for the history"), max_length=500, required=False)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = lab_staff()
        self.fields["type_code"].choices = [("", "---------")] + [
            (kind.code, f"{kind.number} {kind.name_vi}".strip()) for kind in types
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("A card cannot expire before it starts."))
        return data


class CardRevokeForm(forms.Form):
    on = forms.DateField(label=_("revoked from"), **DATE)
    reason = forms.CharField(label=_("reason"), max_length=500)


class MarkBatchForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MarkKind.choices)
    series = forms.CharField(label=_("series"), max_length=12, required=False)
    first = forms.IntegerField(label=_("first serial"), min_value=1, max_value=999_999_999)
    last = forms.IntegerField(label=_("last serial"), min_value=1, max_value=999_999_999)
    received_on = forms.DateField(label=_("received on"), **DATE)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class MarkWriteOffForm(forms.Form):
    serial = forms.CharField(label=_("serial"), max_length=30)
    state = forms.ChoiceField(
        label=_("what happened"),
        choices=[
            (MarkState.SPOILED, MarkState.SPOILED.label),
            (MarkState.LOST, MarkState.LOST.label),
        ],
    )
    reason = forms.CharField(label=_("reason"), max_length=500)
