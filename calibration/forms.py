from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calibration.models import Instrument, Procedure
from lims.models import Customer
from standards.models import Standard, StandardStatus


class InstrumentForm(forms.ModelForm):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.all())

    class Meta:
        model = Instrument
        fields = [
            "customer",
            "name",
            "manufacturer",
            "model",
            "serial_number",
            "customer_asset_id",
            "measuring_range",
            "resolution",
            "unit",
            "location",
        ]
        localized_fields = ["resolution"]


class CalibrationForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("instrument"), queryset=Instrument.objects.select_related("customer")
    )
    procedure = forms.ModelChoiceField(label=_("procedure"), queryset=Procedure.objects.all())
    received_on = forms.DateField(
        label=_("date received"), widget=forms.DateInput(attrs={"type": "date"})
    )
    performed_on = forms.DateField(
        label=_("date of calibration"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    place = forms.CharField(
        label=_("place of calibration"), max_length=200, initial="Phòng thí nghiệm / Laboratory"
    )
    temperature = forms.DecimalField(
        label=_("temperature (°C)"),
        max_digits=5,
        decimal_places=2,
        min_value=-50,
        max_value=100,
        localize=True,
    )
    humidity = forms.DecimalField(
        label=_("relative humidity (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        localize=True,
    )
    standards = forms.ModelMultipleChoiceField(
        label=_("standards used"),
        queryset=Standard.objects.filter(status=StandardStatus.IN_SERVICE),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        received, performed = data.get("received_on"), data.get("performed_on")
        if received and performed and performed < received:
            self.add_error(
                "performed_on", _("The calibration date cannot be before the date received.")
            )
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
