"""Forms of the procedure, range and scope pages: they parse what people type, services decide.

A budget is edited as rows of components (never as raw JSON), and measurement points as one text
of values separated by ';' or new lines, each read by `parse_reading` (comma or point as the
decimal mark) and stored as a plain decimal string.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calibration.budget import DISTRIBUTIONS, TYPE_B
from calibration.models import InstrumentRange, Procedure, ProcedureStatus, Source
from calibration.services import parse_reading

MAX_POINTS = 100
MAX_COMPONENTS = 30

DISTRIBUTION_LABELS = {
    "normal": _("Normal (value is u)"),
    "rectangular": _("Rectangular (value is the half-width a)"),
    "triangular": _("Triangular (value is the half-width a)"),
    "arcsine": _("Arcsine (value is the half-width a)"),
}


def parse_points(text: str) -> list[str]:
    """Values separated by ';' or new lines, as plain decimal strings; errors name the value."""
    values, errors = [], []
    for part in str(text).replace("\r", "\n").replace(";", "\n").split("\n"):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(f"{parse_reading(part):f}")
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    if len(values) > MAX_POINTS:
        raise ValidationError(
            gettext("At most %(n)d measurement points.") % {"n": MAX_POINTS}, code="too_many"
        )
    return values


def points_text(points) -> str:
    return "; ".join(str(p) for p in points or [])


class PointsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 2})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("measurement points"))
        kwargs.setdefault(
            "help_text",
            _("Values separated by ';' or one per line; a comma or a point as the decimal mark."),
        )
        kwargs.setdefault("required", False)
        super().__init__(max_length=4000, **kwargs)

    def prepare_value(self, value):
        return points_text(value) if isinstance(value, list) else value

    def to_python(self, value):
        return parse_points(super().to_python(value))


def _field(model, name: str, **kwargs):
    """The model field's form field, decimals read with the page language's decimal mark."""
    model_field = model._meta.get_field(name)
    if model_field.get_internal_type() == "DecimalField":
        kwargs.setdefault("localize", True)
    return model_field.formfield(**kwargs)


def _procedure(name: str, **kwargs):
    return _field(Procedure, name, **kwargs)


class ProcedureForm(forms.Form):
    """The content of a procedure version, the budget aside (see `BudgetFormSet`)."""

    code = _procedure("code", help_text=_("e.g. QTHC-KL-01"))
    title_vi = _procedure("title_vi")
    title_en = _procedure("title_en")
    quantity = _procedure("quantity")
    unit = _procedure("unit")
    model = _procedure("model")
    monte_carlo = _procedure("monte_carlo")
    points = PointsField()
    readings_per_point = _procedure("readings_per_point", min_value=2, max_value=100)
    tolerance_abs = _procedure("tolerance_abs", min_value=0)
    tolerance_rel = _procedure("tolerance_rel", min_value=0)
    tolerance_source = _procedure("tolerance_source")
    decision_rule = _procedure("decision_rule")
    temperature_min = _procedure("temperature_min")
    temperature_max = _procedure("temperature_max")
    humidity_min = _procedure("humidity_min", min_value=0, max_value=100)
    humidity_max = _procedure("humidity_max", min_value=0, max_value=100)
    change_note = _procedure("change_note", widget=forms.Textarea(attrs={"rows": 2}))

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean(self):
        data = super().clean()
        for low, high in (
            ("temperature_min", "temperature_max"),
            ("humidity_min", "humidity_max"),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, gettext("The highest value cannot be below the lowest."))
        return data


class ProcedureEditForm(ProcedureForm):
    reason = forms.CharField(label=_("reason for the change"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]


def procedure_initial(procedure: Procedure) -> dict:
    from calibration.procedures import CONTENT_FIELDS

    return {name: getattr(procedure, name) for name in CONTENT_FIELDS if name != "budget"}


class BudgetComponentForm(forms.Form):
    name = forms.CharField(label=_("name in the model"), max_length=40)
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.OTHER)
    dist = forms.ChoiceField(
        label=_("distribution"),
        choices=[("", "—")] + [(d, DISTRIBUTION_LABELS[d]) for d in DISTRIBUTIONS],
        required=False,
    )
    value = forms.DecimalField(
        label=_("value"), required=False, min_value=0, max_digits=20, localize=True
    )
    relative = forms.BooleanField(label=_("percent of the reading"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        if data.get("source") in TYPE_B:
            if not data.get("dist"):
                self.add_error("dist", gettext("Choose a distribution for a type B component."))
            if data.get("value") is None and "value" not in self.errors:
                self.add_error("value", gettext("Give the value of a type B component."))
        return data

    def component(self) -> dict:
        data = self.cleaned_data
        component = {"name": data["name"], "source": data["source"]}
        if data["source"] in TYPE_B:
            component["dist"] = data["dist"]
            component["value"] = f"{data['value']:f}"
            if data.get("relative"):
                component["relative"] = True
        if data.get("note", "").strip():
            component["note"] = data["note"].strip()
        return component


class BaseBudgetFormSet(forms.BaseFormSet):
    def components(self) -> list[dict]:
        """The budget as `calibration.budget` reads it; call after `is_valid()`."""
        return [
            form.component()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


BudgetFormSet = forms.formset_factory(
    BudgetComponentForm,
    formset=BaseBudgetFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_COMPONENTS,
    validate_max=True,
    absolute_max=MAX_COMPONENTS,
)


def _decimal_or_text(value):
    """A stored value as a Decimal, so the page shows it with its language's decimal mark."""
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return value


def budget_initial(budget) -> list[dict]:
    """The stored budget as the formset's initial rows."""
    rows = []
    for component in budget if isinstance(budget, list) else []:
        if isinstance(component, dict):
            rows.append(
                {
                    "name": component.get("name", ""),
                    "source": component.get("source", ""),
                    "dist": component.get("dist", ""),
                    "value": _decimal_or_text(component.get("value")),
                    "relative": bool(component.get("relative")),
                    "note": component.get("note", ""),
                }
            )
    return rows


class NewVersionForm(forms.Form):
    change_note = forms.CharField(
        label=_("what the new version changes"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveForm(forms.Form):
    effective_on = forms.DateField(
        label=_("effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    reason = forms.CharField(label=_("remark"), max_length=500, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason for withdrawal"), max_length=500)


def _range(name: str, **kwargs):
    return _field(InstrumentRange, name, **kwargs)


class RangeEditForm(forms.Form):
    """An instrument's own specification for one range or channel."""

    name = _range("name")
    unit = _range("unit")
    resolution = _range("resolution", min_value=0)
    points = PointsField()
    tolerance_abs = _range("tolerance_abs", min_value=0)
    tolerance_rel = _range("tolerance_rel", min_value=0)
    tolerance_source = _range("tolerance_source")
    reason = forms.CharField(label=_("reason for the change"), max_length=500)

    def clean_resolution(self):
        value = self.cleaned_data["resolution"]
        if value is not None and value <= 0:
            raise ValidationError(gettext("The resolution must be greater than zero."))
        return value


class RangeForm(RangeEditForm):
    """A new range drawn from an approved procedure, changeable before it is saved."""

    procedure = forms.ModelChoiceField(
        label=_("procedure"),
        queryset=Procedure.objects.filter(status=ProcedureStatus.APPROVED).order_by("code"),
    )
    field_order = ["procedure"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields["reason"].label = _("remark")


def range_initial(*, instrument, procedure: Procedure | None) -> dict:
    """What a new range of `instrument` starts from: the procedure's template when chosen."""
    initial = {
        "name": instrument.measuring_range,
        "unit": instrument.unit,
        "resolution": instrument.resolution,
    }
    if procedure is not None:
        initial.update(
            procedure=procedure.pk,
            name=instrument.measuring_range or procedure.unit,
            points=list(procedure.points),
            tolerance_abs=procedure.tolerance_abs,
            tolerance_rel=procedure.tolerance_rel,
            tolerance_source=procedure.tolerance_source,
        )
    return initial
