from django import forms
from django.utils.translation import gettext_lazy as _

from standards.models import (
    Conformity,
    DocumentKind,
    NationalStandard,
    Provider,
    Standard,
    StandardPiece,
    StandardStatus,
)
from standards.services import REGISTER_FIELDS

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = REGISTER_FIELDS
        widgets = {"acquired_on": forms.DateInput(attrs={"type": "date"})}
        localized_fields = ["resolution", "tolerance", "acquisition_cost"]


class StandardEditForm(StandardForm):
    reason = forms.CharField(label=_("reason for the change"), max_length=500)

    class Meta(StandardForm.Meta):
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=StandardStatus.choices)
    reason = forms.CharField(label=_("reason"), max_length=500)


class PieceForm(forms.ModelForm):
    class Meta:
        model = StandardPiece
        fields = ["label", "nominal", "marking", "tolerance"]
        localized_fields = ["nominal", "tolerance"]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    upload = forms.FileField(label=_("file"))


class StandardCalibrationForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Provider.objects.all())
    certificate_number = forms.CharField(label=_("certificate number"), max_length=60)
    calibrated_on = forms.DateField(label=_("calibration date"), **DATE)
    issued_on = forms.DateField(label=_("date of issue"), required=False, **DATE)
    due_on = forms.DateField(
        label=_("due date"),
        required=False,
        help_text=_("Left empty: the calibration date plus the standard's interval."),
        **DATE,
    )
    conformity = forms.ChoiceField(
        label=_("found in tolerance"), choices=Conformity.choices, initial=Conformity.NOT_STATED
    )
    provider_standard = forms.CharField(
        label=_("provider's standard"), max_length=200, required=False
    )
    national_standard = forms.ModelChoiceField(
        label=_("national standard"),
        queryset=NationalStandard.objects.all(),
        required=False,
        help_text=_("Without it the chain to the SI is broken and the standard cannot be used."),
    )
    certificate_file = forms.FileField(label=_("certificate file"), required=False)

    def clean(self):
        data = super().clean()
        if (
            data.get("calibrated_on")
            and data.get("due_on")
            and data["due_on"] <= data["calibrated_on"]
        ):
            self.add_error("due_on", _("The due date must be after the calibration date."))
        return data


class ReplacementForm(StandardCalibrationForm):
    replacement_reason = forms.CharField(
        label=_("reason for the replacement"), widget=forms.Textarea(attrs={"rows": 2})
    )


class StandardValueForm(forms.Form):
    label = forms.CharField(label=_("label"), max_length=60)
    nominal = forms.DecimalField(
        label=_("nominal value"), max_digits=20, decimal_places=9, localize=True
    )
    value = forms.DecimalField(
        label=_("calibrated value"), max_digits=20, decimal_places=9, localize=True
    )
    expanded_uncertainty = forms.DecimalField(
        label=_("expanded uncertainty U"),
        max_digits=20,
        decimal_places=9,
        min_value=0,
        localize=True,
    )
    coverage_factor = forms.DecimalField(
        label=_("coverage factor k"),
        max_digits=5,
        decimal_places=2,
        initial=2,
        min_value=1,
        localize=True,
    )
    conformity = forms.ChoiceField(
        label=_("conformity"), choices=Conformity.choices, initial=Conformity.NOT_STATED
    )

    def clean_expanded_uncertainty(self):
        value = self.cleaned_data["expanded_uncertainty"]
        if value <= 0:
            raise forms.ValidationError(_("The expanded uncertainty must be greater than zero."))
        return value


StandardValueFormSet = forms.formset_factory(
    StandardValueForm, extra=3, min_num=1, validate_min=True
)


class CheckForm(forms.Form):
    checked_on = forms.DateField(label=_("date of the check"), **DATE)
    label = forms.CharField(label=_("point checked"), max_length=60)
    value = forms.DecimalField(
        label=_("value found"), max_digits=20, decimal_places=9, localize=True
    )
    remarks = forms.CharField(label=_("remarks"), required=False, max_length=500)


class DecisionForm(forms.Form):
    months = forms.IntegerField(label=_("interval (months)"), min_value=1, max_value=120)
    reason = forms.CharField(
        label=_("reason for the decision"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DccUploadForm(forms.Form):
    dcc = forms.FileField(label=_("DCC file (XML)"))


class DccConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    filename = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Provider.objects.all())
    national_standard = forms.ModelChoiceField(
        label=_("national standard"), queryset=NationalStandard.objects.all(), required=False
    )
    provider_standard = forms.CharField(
        label=_("provider's standard"), max_length=200, required=False
    )
    conformity = forms.ChoiceField(label=_("found in tolerance"), choices=Conformity.choices)
    due_on = forms.DateField(
        label=_("due date"),
        required=False,
        help_text=_("Left empty: the calibration date plus the standard's interval."),
        **DATE,
    )
