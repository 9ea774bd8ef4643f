from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calibration.models import Adjustment, Instrument, Procedure
from calibration.services import parse_reading
from lims.models import Customer
from standards.chain import chain_of
from standards.models import Standard, StandardCalibration, StandardStatus


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


class StandardChoices(forms.CheckboxSelectMultiple):
    """Standards to tick; one that cannot be used today is shown greyed out, with the reason."""

    refusals: dict[int, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        reason = self.refusals.get(getattr(value, "value", value))
        if reason:
            option["attrs"]["disabled"] = True
            option["label"] = f"{label} — {reason}"
        return option


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
        queryset=Standard.objects.filter(status=StandardStatus.IN_SERVICE).prefetch_related(
            Prefetch(
                "calibrations",
                StandardCalibration.objects.select_related(
                    "provider", "national_standard", "replaced_by"
                ),
            )
        ),
        widget=StandardChoices,
        help_text=_("A standard that cannot be used today is greyed out, with the reason."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        refusals = {}
        for standard in self.fields["standards"].queryset:
            problems = chain_of(standard, today, as_loaded=True).problems
            if problems:
                refusals[standard.pk] = problems[0].problem
        self.fields["standards"].widget.refusals = refusals

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


class ConditionsForm(forms.Form):
    """The environment, adjustment and remarks; numbers typed with a comma or a point."""

    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
    )
    humidity = forms.CharField(
        label=_("Relative humidity (%)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
    )
    adjustment = forms.ChoiceField(
        label=_("Adjustment"), choices=Adjustment.choices, widget=forms.RadioSelect
    )
    remarks = forms.CharField(
        label=_("Remarks"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=1000)

    def clean_temperature(self):
        return parse_reading(self.cleaned_data["temperature"])

    def clean_humidity(self):
        return parse_reading(self.cleaned_data["humidity"])
