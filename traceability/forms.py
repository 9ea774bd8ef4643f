from django import forms
from django.utils.translation import gettext_lazy as _

from standards.models import Standard


class FindingForm(forms.Form):
    standard = forms.ModelChoiceField(label=_("standard"), queryset=Standard.objects.all())
    found_on = forms.DateField(label=_("found on"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("what was found"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("assessment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The effect on each result listed, and what was done (clause 7.10)."),
    )
    customers_notified = forms.BooleanField(label=_("customers notified"), required=False)
    notified_on = forms.DateField(
        label=_("notified on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
