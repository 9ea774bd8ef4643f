"""Forms of the campaign pages: plan or change a campaign, close it, sign its rows."""

from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calibration.forms import StandardChoices
from competence.forms import lab_staff
from lims.forms import IdMultipleChoiceField
from standards.chain import chain_of
from standards.models import Standard, StandardCalibration, StandardStatus

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    site = forms.CharField(
        label=_("site"), max_length=200, help_text=_("The market or place, e.g. Chợ Đầm Quy Nhơn")
    )
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    province = forms.CharField(label=_("province"), max_length=80)
    starts_on = forms.DateField(label=_("from"), **DATE)
    ends_on = forms.DateField(label=_("to"), **DATE)
    leader = forms.ModelChoiceField(label=_("team leader"), queryset=lab_staff())
    team = IdMultipleChoiceField(
        label=_("team"),
        queryset=lab_staff(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The leader is on the team in any case."),
    )
    standards = IdMultipleChoiceField(
        label=_("standards taken"),
        queryset=Standard.objects.filter(status=StandardStatus.IN_SERVICE)
        .order_by("asset_number")
        .prefetch_related(
            Prefetch(
                "calibrations",
                StandardCalibration.objects.select_related(
                    "provider", "national_standard", "replaced_by"
                ),
            )
        ),
        widget=StandardChoices,
        help_text=_(
            "Each must be usable on every day of the campaign; one that cannot be used today is "
            "greyed out, with the reason."
        ),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, reason_needed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = lab_staff()
        self.fields["team"].queryset = lab_staff()
        today = timezone.localdate()
        refusals = {}
        for standard in self.fields["standards"].queryset:
            problems = chain_of(standard, today, as_loaded=True).problems
            if problems:
                refusals[standard.pk] = problems[0].problem
        self.fields["standards"].widget.refusals = refusals
        if reason_needed:
            self.fields["reason"] = forms.CharField(
                label=_("reason for the change"), max_length=1000
            )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A campaign cannot end before it starts."))
        return data


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=1000,
        help_text=_("e.g. every stall of the market visited"),
    )


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
