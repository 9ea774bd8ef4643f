from django import forms
from django.utils.translation import gettext_lazy as _

from calibration.models import Calibration
from lims.forms import IdMultipleChoiceField


class BatchForm(forms.Form):
    # Any calibration id is accepted here and the service says which are not approved, so that
    # a refusal names the calibration instead of "not one of the available choices".
    calibrations = IdMultipleChoiceField(
        label=_("calibrations"),
        queryset=Calibration.objects.all(),
        error_messages={
            "required": _("Choose at least one approved calibration."),
            "invalid_choice": _(
                "Calibration #%(value)s does not exist: choose again from the list."
            ),
            "invalid_pk_value": _("“%(pk)s” is not a calibration: choose again from the list."),
        },
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kept in each certificate's history, e.g. “On-site verification campaign, Quy Nhơn market”."
        ),
        error_messages={"required": _("Say why these certificates are issued together.")},
    )
