from django import forms
from django.utils.translation import gettext_lazy as _

from standards.models import Provider, Standard


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = [
            "asset_number",
            "name",
            "quantity",
            "manufacturer",
            "model",
            "serial_number",
            "grade",
            "measuring_range",
            "unit",
            "location",
            "custodian",
        ]


class StandardCalibrationForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Provider.objects.all())
    certificate_number = forms.CharField(label=_("certificate number"), max_length=60)
    calibrated_on = forms.DateField(
        label=_("calibration date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if (
            data.get("calibrated_on")
            and data.get("due_on")
            and data["due_on"] <= data["calibrated_on"]
        ):
            self.add_error("due_on", _("The due date must be after the calibration date."))
        return data


class StandardValueForm(forms.Form):
    def clean_expanded_uncertainty(self):
        value = self.cleaned_data["expanded_uncertainty"]
        if value <= 0:
            raise forms.ValidationError(_("The expanded uncertainty must be greater than zero."))
        return value

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


StandardValueFormSet = forms.formset_factory(
    StandardValueForm, extra=3, min_num=1, validate_min=True
)
