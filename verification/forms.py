"""Forms of the single-verification pages: the list's filters, recording one instrument (its
identification, its characteristics, then the tests its rules ask), issuing it."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calibration.forms import StandardChoices
from lims.forms import IdMultipleChoiceField, is_small_number
from lims.models import Customer
from standards.chain import chain_of
from standards.models import Standard, StandardCalibration, StandardStatus
from verification import procedures
from verification.models import (
    Campaign,
    InstrumentType,
    ListStatus,
    VerificationKind,
    VerificationState,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def types_in_force():
    # in the order of the list as it was entered ("12.1" would sort before "4.3" as text)
    return InstrumentType.objects.filter(type_list__status=ListStatus.IN_FORCE).order_by("pk")


class FilterForm(forms.Form):
    """The list's filters; every one optional."""

    q = forms.CharField(
        label=_("search"),
        required=False,
        max_length=100,
        help_text=_("Serial number, owner, number or mark"),
    )
    type = forms.ModelChoiceField(
        label=_("instrument type"), queryset=InstrumentType.objects.none(), required=False
    )
    verdict = forms.ChoiceField(
        label=_("verdict"),
        required=False,
        choices=[("", "—"), ("pass", _("Pass")), ("fail", _("Fail"))],
    )
    state = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", "—"), *VerificationState.choices]
    )
    date_from = forms.DateField(label=_("from"), required=False, **DATE)
    date_to = forms.DateField(label=_("to"), required=False, **DATE)
    campaign = forms.ModelChoiceField(
        label=_("campaign"), queryset=Campaign.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = InstrumentType.objects.select_related("type_list").order_by(
            "name_vi", "pk"
        )


def usable_standards():
    return (
        Standard.objects.filter(status=StandardStatus.IN_SERVICE)
        .order_by("asset_number")
        .prefetch_related(
            Prefetch(
                "calibrations",
                StandardCalibration.objects.select_related(
                    "provider", "national_standard", "replaced_by"
                ),
            )
        )
    )


class VerificationForm(forms.Form):
    """One instrument: who owns it, what it is, its characteristics by its type's rules. The tests
    are read from the page by `tests_from` (their rows depend on the characteristics)."""

    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    instrument_type = forms.ModelChoiceField(
        label=_("instrument type"), queryset=InstrumentType.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=VerificationKind.choices, initial=VerificationKind.PERIODIC
    )
    verified_on = forms.DateField(
        label=_("date of verification"), initial=timezone.localdate, **DATE
    )
    owner = forms.CharField(label=_("owner"), max_length=200, help_text=_("Owner or stall holder"))
    stall = forms.CharField(label=_("stall"), max_length=80, required=False)
    customer = forms.ModelChoiceField(
        label=_("customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        help_text=_("An enterprise among the lab's customers; empty for a stall holder."),
    )
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    province = forms.CharField(label=_("province"), max_length=80)
    manufacturer = forms.CharField(label=_("manufacturer"), max_length=120, required=False)
    model = forms.CharField(label=_("model"), max_length=120, required=False)
    serial_number = forms.CharField(label=_("serial number"), max_length=80)
    standards = IdMultipleChoiceField(
        label=_("standards used"),
        queryset=Standard.objects.none(),
        widget=StandardChoices,
        required=False,
    )

    def __init__(self, *args, recommendation: str | None = None, reason_needed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_type"].queryset = types_in_force()
        self.fields["standards"].queryset = usable_standards()
        today = timezone.localdate()
        refusals = {}
        for standard in self.fields["standards"].queryset:
            problems = chain_of(standard, today, as_loaded=True).problems
            if problems:
                refusals[standard.pk] = problems[0].problem
        widget = StandardChoices()
        widget.refusals = refusals
        widget.choices = self.fields["standards"].choices
        self.fields["standards"].widget = widget
        if not self.is_bound and not self.initial.get("client_key"):
            self.initial["client_key"] = uuid.uuid4()
        self.recommendation = recommendation
        for field in procedures.SPECIFICATIONS.get(recommendation or "", ()):
            name = f"spec-{field.key}"
            if field.choices:
                choices = [(c, c) for c in field.choices]
                if not field.required:
                    choices = [("", "—"), *choices]
                self.fields[name] = forms.ChoiceField(
                    label=field.label,
                    choices=choices,
                    required=field.required,
                    initial=field.default,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=field.label,
                    required=field.required,
                    max_length=40,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num"}),
                )
        if reason_needed:
            self.fields["reason"] = forms.CharField(
                label=_("reason for the change"), max_length=1000
            )

    def identification_fields(self):
        return [f for f in self.visible_fields() if not f.name.startswith("spec-")]

    def specification_fields(self):
        return [f for f in self.visible_fields() if f.name.startswith("spec-")]

    def specification(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key.removeprefix("spec-"): data[key]
            for key in self.fields
            if key.startswith("spec-") and data.get(key) not in (None, "")
        }


def tests_grid(recommendation: str, tests: dict) -> list[dict]:
    """The tests as the page draws them: each test's columns and rows of (name, value) inputs."""
    grid = []
    first = True
    for test in procedures.TESTS.get(recommendation, ()):
        rows = []
        for index, row in enumerate(tests.get(test.key, [])):
            cells = []
            for column in test.columns:
                cells.append(
                    {
                        "name": f"t-{test.key}-{index}-{column.key}",
                        "value": row.get(column.key, ""),
                        "column": column,
                        "first": first and not column.given,  # where the cursor starts
                        # a value the procedure holds: shown, posted, not typed over
                        "held": column.given and column.held and bool(row.get(column.key)),
                    }
                )
                first = first and column.given
            rows.append(cells)
        grid.append({"test": test, "rows": rows, "count_name": f"n-{test.key}"})
    return grid


MAX_ROWS = 50
MAX_VALUE = 40  # characters of one value in a cell, as on the campaign entry page


def tests_from(recommendation: str, data) -> dict[str, list[dict[str, str]]]:
    """The tests posted by the page (`t-<test>-<row>-<column>`, `n-<test>` rows), each value as
    posted: `long_values` says which are too long to be a reading."""
    tests: dict[str, list[dict[str, str]]] = {}
    for test in procedures.TESTS.get(recommendation, ()):
        count = data.get(f"n-{test.key}", "0")
        count = int(count) if is_small_number(count) else 0
        tests[test.key] = [
            {
                column.key: str(data.get(f"t-{test.key}-{index}-{column.key}", ""))
                for column in test.columns
            }
            for index in range(min(count, MAX_ROWS))
        ]
    return tests


def long_values(recommendation: str, tests: dict) -> list[str]:
    """A message for each value longer than `MAX_VALUE`, naming its cell: such a value is
    refused, never cut short into another number."""
    found = []
    for test in procedures.TESTS.get(recommendation, ()):
        for number, row in enumerate(tests.get(test.key, []), start=1):
            for column in test.columns:
                value = row.get(column.key, "")
                if len(value) > MAX_VALUE:
                    found.append(
                        _(
                            "%(test)s, row %(row)s: the %(column)s “%(value)s…” is longer than "
                            "%(n)d characters: it is not a reading."
                        )
                        % {
                            "test": test.title,
                            "row": number,
                            "column": column.label,
                            "value": value[:12],
                            "n": MAX_VALUE,
                        }
                    )
    return found


class IssueForm(forms.Form):
    password = forms.CharField(
        label=_("your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
    mark_serial = forms.CharField(
        label=_("mark stuck on"),
        max_length=30,
        required=False,
        help_text=_("Empty: the lowest serial in stock. A failed instrument gets no mark."),
    )
