from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calibration.models import Instrument, Procedure
from lims.models import Customer, Role, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def technicians():
    return User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


class JobForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.all())
    received_on = forms.DateField(label=_("date received"), widget=DATE, initial=timezone.localdate)
    due_on = forms.DateField(
        label=pgettext_lazy("job", "due date"),
        widget=DATE,
        help_text=_("The date promised to the customer."),
    )
    technician = forms.ModelChoiceField(
        label=_("technician"), queryset=technicians(), required=False
    )
    customer_reference = forms.CharField(
        label=_("customer's reference"),
        max_length=80,
        required=False,
        help_text=_("The customer's order or purchase order number."),
    )
    notes = forms.CharField(
        label=_("internal notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Not shown to the customer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()


class JobItemForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("instrument"), queryset=Instrument.objects.select_related("customer")
    )
    condition = forms.CharField(
        label=_("condition on receipt"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Good, seals intact")}),
    )
    accessories = forms.CharField(label=_("accessories"), required=False)
    procedure = forms.ModelChoiceField(
        label=_("service requested"), queryset=Procedure.objects.all(), required=False
    )

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customer is not None:
            self.fields["instrument"].queryset = Instrument.objects.filter(customer=customer)


JobItemFormSet = forms.formset_factory(JobItemForm, extra=5, max_num=200, absolute_max=200)


class AssignForm(forms.Form):
    technician = forms.ModelChoiceField(label=_("technician"), queryset=technicians())
    reason = forms.CharField(label=_("reason"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label=_("date returned"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when an instrument goes back without an issued certificate, e.g. “could not be calibrated: damaged”."
        ),
    )


class ReceiveRequestForm(forms.Form):
    """The receipt of a requested job: the customer and number are the request's."""

    received_on = forms.DateField(label=_("date received"), widget=DATE, initial=timezone.localdate)
    due_on = forms.DateField(
        label=pgettext_lazy("job", "due date"),
        widget=DATE,
        help_text=_("The date promised to the customer."),
    )
    technician = forms.ModelChoiceField(
        label=_("technician"), queryset=technicians(), required=False
    )
    notes = forms.CharField(
        label=_("internal notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Not shown to the customer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “The instrument was sold”, or “asked twice”."),
    )


class ReceiveItemForm(JobItemForm):
    """A row of a request's receipt: a row left without an instrument is an instrument asked for
    and not brought in; the service asks for the condition of every row kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].required = False
        self.fields["condition"].required = False


ReceiveItemFormSet = forms.formset_factory(ReceiveItemForm, extra=3, max_num=200, absolute_max=200)
