from django import forms
from django.utils.translation import gettext_lazy as _

from calibration.models import RECALL_MONTHS_MAX, Instrument
from jobs.models import Service
from lims.forms import IdMultipleChoiceField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecallForm(forms.Form):
    months = forms.IntegerField(
        label=_("recall interval (months)"),
        required=False,
        min_value=1,
        max_value=RECALL_MONTHS_MAX,
        help_text=_(
            "Your decision, from how much the instrument is used, how it drifted, and the risk of "
            "a wrong measurement. Leave empty to remove the interval."
        ),
    )
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “Used daily for release tests: every 6 months”. Kept in the history."),
    )


class RequestForm(forms.Form):
    """A calibration request: the instruments are the customer's own (the service checks again)."""

    instruments = IdMultipleChoiceField(
        label=_("instruments"),
        queryset=Instrument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    service = forms.ChoiceField(
        label=_("service"),
        choices=Service.choices,
        initial=Service.CALIBRATION,
        widget=forms.RadioSelect,
    )
    wished_on = forms.DateField(
        label=_("date wished for"),
        required=False,
        widget=DATE,
        help_text=_("When you would like the work done; the lab confirms its date on receipt."),
    )
    customer_reference = forms.CharField(
        label=_("your reference"),
        max_length=80,
        required=False,
        help_text=_("Your order or purchase order number, if any."),
    )
    request = forms.CharField(
        label=_("other instruments and notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Instruments not in the list (name, maker, model, serial number, range), and anything "
            "the lab should know."
        ),
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instruments"].queryset = Instrument.objects.filter(customer=customer)
