from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from competence.models import Activity, Evidence
from competence.registry import has_sources, known_codes
from lims.models import Role, User

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def lab_staff() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .exclude(role=Role.CUSTOMER)
        .order_by("last_name", "first_name", "username")
    )


class GrantForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=User.objects.none())
    procedure_code = forms.CharField(
        label=_("procedure code"),
        max_length=40,
        help_text=_("e.g. QTHC-KL-01; the authorisation covers every version of the procedure."),
    )
    activity = forms.ChoiceField(label=_("activity"), choices=Activity.choices)
    valid_from = forms.DateField(label=_("valid from"), **DATE)
    valid_until = forms.DateField(
        label=_("valid until"),
        required=False,
        help_text=_("Left empty: open-ended, until revoked."),
        **DATE,
    )
    evidence_kind = forms.ChoiceField(label=_("kind of evidence"), choices=Evidence.choices)
    evidence = forms.CharField(
        label=_("evidence of competence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What shows the competence, e.g. Training course ĐLVN 2025, 12 supervised calibrations."
        ),
    )
    reason = forms.CharField(label=_("note for the history"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = lab_staff()
        if has_sources():
            # The procedures the lab has, as registered by the app that owns them.
            self.fields["procedure_code"] = forms.ChoiceField(
                label=_("procedure"),
                choices=[("", "---------")]
                + [(code, f"{code} — {label}" if label else code) for code, label in known_codes()],
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of validity cannot be before its start."))
        return data


class RevokeForm(forms.Form):
    on = forms.DateField(label=_("revoked from"), **DATE)
    reason = forms.CharField(label=_("reason"), max_length=500)
