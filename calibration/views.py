import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calibration import services
from calibration.access import (
    calibration_for_user,
    calibrations_for,
    instrument_for_user,
    instruments_for,
)
from calibration.forms import CalibrationForm, InstrumentForm, ReturnForm
from calibration.models import Adjustment, EntryDraft, MeasurementPoint, Phase, State
from calibration.results import plain
from calibration.review import review_context
from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal
from lims.paging import page_of
from lims.templatetags.lab import figure

READING_COLUMNS = 5
BLANK_ROWS = 2
MAX_ROWS, MAX_COLUMNS, MAX_SECTIONS = 500, 100, 50


def _count(post, name, default, ceiling) -> int:
    """A row or column count from the grid's hidden fields; nonsense falls back, never a 500."""
    text = post.get(name, "")
    return min(int(text), ceiling) if is_small_number(text) else default


@login_required
def instrument_list(request):
    require(request.user, "instrument.view")
    page = page_of(request, instruments_for(request.user))
    return render(
        request,
        "calibration/instrument_list.html",
        {"instruments": page, "page": page},
    )


@login_required
def instrument_detail(request, pk):
    instrument = instrument_for_user(request.user, pk)
    calibrations = (
        calibrations_for(request.user)
        .filter(instrument=instrument)
        .select_related("certificate")
        .defer("certificate__pdf")
    )
    return render(
        request,
        "calibration/instrument_detail.html",
        {"instrument": instrument, "calibrations": calibrations},
    )


@login_required
def instrument_create(request):
    require(request.user, "instrument.edit")
    form = InstrumentForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            instrument = services.instrument_register(by=request.user, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Instrument received."))
            return redirect("instrument", pk=instrument.pk)
    return render(request, "lims/form.html", {"form": form, "title": _("Receive an instrument")})


@login_required
def calibration_list(request):
    require(request.user, "calibration.view")
    calibrations = calibrations_for(request.user)
    state = request.GET.get("state")
    if state in State.values:
        calibrations = calibrations.filter(state=state)
    page = page_of(request, calibrations)
    return render(
        request,
        "calibration/calibration_list.html",
        {
            "calibrations": page,
            "page": page,
            "states": State.choices,
            "state": state,
        },
    )


@login_required
def calibration_create_view(request):
    require(request.user, "calibration.edit")
    form = CalibrationForm(
        request.POST or None, initial={"instrument": request.GET.get("instrument")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            calibration = services.calibration_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Calibration opened. Enter the readings."))
            return redirect("calibration", pk=calibration.pk)
    return render(request, "lims/form.html", {"form": form, "title": _("New calibration")})


# --- The reading grid ---------------------------------------------------------------------------
#
# One section per range or channel × phase (as found, as left), each with its rows. Fields are
# named by the row's place in the whole grid (`p{row}-ref`, `p{row}-r{column}`), so that the
# numbers the service puts in its messages ("Row 12: …") are the numbers the technician sees;
# hidden counts say which rows belong to which section (`sections`, `s{k}-range`, `s{k}-phase`,
# `s{k}-rows`), plus `rows` and `columns` for the whole grid. A post without `sections` is the
# one-section grid of before: the first range, as left. The same fields are what a draft keeps.

GRID_FIELD = re.compile(
    r"^(rows|columns|sections|rev|s\d{1,3}-(range|phase|rows)|p\d{1,4}-(ref|r\d{1,3}))$"
)
NOT_WHOLE = gettext_lazy("The grid was not sent whole; nothing was saved.")


class Sent(NamedTuple):
    """A grid as posted (or as a draft keeps it): sections of (reference, readings) rows."""

    sections: list[tuple[int, str, list[tuple[str, list[str]]]]]
    columns: int
    problems: list[str]


def _read_grid(data, *, default_range_id: int) -> Sent:
    """Rebuild the sections and rows from the grid's fields; a mangled layout is a problem."""
    rows_text = str(data.get("rows", ""))
    if not is_small_number(rows_text):
        return Sent([], 0, [str(NOT_WHOLE)])
    total = int(rows_text)
    if total > MAX_ROWS:
        return Sent(
            [],
            0,
            [
                _("The grid has %(rows)d rows; at most %(max)d can be saved at once.")
                % {"rows": total, "max": MAX_ROWS}
            ],
        )
    columns_text = str(data.get("columns", ""))
    columns = int(columns_text) if is_small_number(columns_text) else 0
    if not 1 <= columns <= MAX_COLUMNS:
        return Sent([], 0, [str(NOT_WHOLE)])
    if "sections" in data:
        count_text = str(data.get("sections", ""))
        if not is_small_number(count_text) or int(count_text) > MAX_SECTIONS:
            return Sent([], 0, [str(NOT_WHOLE)])
        layout = []
        for k in range(int(count_text)):
            range_text = str(data.get(f"s{k}-range", ""))
            phase = str(data.get(f"s{k}-phase", ""))
            size = str(data.get(f"s{k}-rows", ""))
            if not (is_small_number(range_text) and is_small_number(size)):
                return Sent([], 0, [str(NOT_WHOLE)])
            if phase not in Phase.values:
                return Sent([], 0, [_("Unknown phase.")])
            layout.append((int(range_text), phase, int(size)))
        if sum(size for _r, _p, size in layout) != total:
            return Sent([], 0, [str(NOT_WHOLE)])
    else:
        layout = [(default_range_id, Phase.AS_LEFT, total)]
    sections, index = [], 0
    for range_id, phase, size in layout:
        rows = []
        for _i in range(size):
            reference = str(data.get(f"p{index}-ref", ""))
            readings = [str(data.get(f"p{index}-r{j}", "")) for j in range(columns)]
            rows.append((reference, readings))
            index += 1
        sections.append((range_id, phase, rows))
    return Sent(sections, columns, [])


VERDICTS = {
    "pass": (gettext_lazy("Pass"), "ok"),
    "conditional_pass": (gettext_lazy("Conditional pass"), "warn"),
    "conditional_fail": (gettext_lazy("Conditional fail"), "warn"),
    "fail": (gettext_lazy("Fail"), "bad"),
}


def _shown(result: dict | None) -> dict | None:
    """The stored or previewed result, laid out for the computed cells (no computing here)."""
    if not result:
        return None
    reported = Decimal(result["reported_error"])
    s = result.get("s")
    label, tone = VERDICTS.get(result.get("decision"), ("—", "muted"))
    vietnamese = (get_language() or "vi").startswith("vi")
    return {
        "mean": result.get("mean"),
        "s": Decimal(f"{float(s):.2g}") if s is not None else None,
        "error": reported,
        "correction": Decimal(0) - reported,
        "U": result.get("reported_U"),
        "k": result.get("reported_k"),
        "unit": result.get("unit", ""),
        "decision": result.get("decision"),
        "verdict": label,
        "tone": tone,
        "statement": result.get("statement_vi" if vietnamese else "statement_en", ""),
        "tolerance": result.get("tolerance"),
        "in_scope": result.get("in_scope", True),
        "cmc_applied": result.get("cmc_applied", False),
        "mc": result.get("mc"),
    }


@dataclass
class GridRow:
    index: int
    nominal: str = ""
    reference: str = ""
    readings: list[str] = field(default_factory=list)
    result: dict | None = None
    messages: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    hint: str = ""
    stale: bool = False  # typed but not computed yet: the page asks the server for its results

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def shown(self) -> dict | None:
        return _shown(self.result)

    @property
    def cells(self) -> list[tuple[int, str, str]]:
        return [(j, text, self.messages.get(f"r{j}", "")) for j, text in enumerate(self.readings)]

    @property
    def named_messages(self) -> list[tuple[str, str]]:
        return sorted(self.messages.items())


@dataclass
class Section:
    index: int
    range: object
    phase: str
    rows: list[GridRow]
    references: list

    @property
    def key(self) -> str:
        return f"{self.range.pk}-{self.phase}"


def _cell_messages(reference: str, readings, references: dict) -> dict[str, str]:
    """Each cell's own refusal, in the page's language (the same `parse_reading` as saving)."""
    found = {}
    for j, text in enumerate(readings):
        if str(text).strip():
            try:
                services.parse_reading(text)
            except ValidationError as error:
                found[f"r{j}"] = error.messages[0]
    if any(str(text).strip() for text in readings) and reference not in references:
        found["ref"] = _("Choose the reference value.")
    return found


def _matching_reference(nominal: str, references) -> str:
    """The reference value whose nominal is an agreed point's, if the standards used have one."""
    try:
        wanted = services.parse_reading(nominal)
    except ValidationError:
        return ""
    for reference in references:
        if reference.nominal == wanted:
            return str(reference.pk)
    return ""


def _base_rows(spec, points, references) -> list[GridRow]:
    """What a section shows with nothing typed: its saved points, else the agreed nominals."""
    if points:
        return [
            GridRow(
                index=0,
                nominal=f"{plain(p.reference.nominal)} {p.reference.unit}",
                reference=str(p.reference_id),
                readings=[figure(r) for r in p.readings],
                result=p.result,
            )
            for p in points
        ]
    return [
        GridRow(
            index=0,
            nominal=f"{nominal} {spec.unit}",
            reference=_matching_reference(nominal, references),
        )
        for nominal in (spec.points if isinstance(spec.points, list) else [])
    ]


def _entry(calibration, *, points, ranges, references, data=None) -> dict:
    """The sections of the grid: saved points, or what was typed (`data`: a post or a draft)."""
    sent = None
    if data is not None:
        sent = _read_grid(data, default_range_id=ranges[0].pk if ranges else 0)
        if sent.problems:
            sent = None
    typed: dict[tuple[int, str], list] = {}
    for range_id, phase, rows in sent.sections if sent else []:
        typed.setdefault((range_id, phase), []).extend(rows)
    saved: dict[tuple[int, str], list] = {}
    for point in points:
        saved.setdefault((point.range_id, point.phase), []).append(point)
    columns = max(
        [calibration.procedure.readings_per_point or READING_COLUMNS, sent.columns if sent else 0]
        + [len(p.readings) for p in points]
    )
    columns = min(columns, MAX_COLUMNS)
    sections, index = [], 0
    for spec in ranges:
        usable = [r for r in references if r.unit == spec.unit]
        usable_pks = {str(r.pk): r for r in usable}
        for phase in calibration.phases:
            key = (spec.pk, phase)
            base = _base_rows(spec, saved.get(key, []), usable)
            if key in typed:
                rows = [
                    GridRow(
                        index=0,
                        nominal=base[t].nominal if t < len(base) else "",
                        reference=reference,
                        readings=list(readings),
                        messages=_cell_messages(reference, readings, usable_pks),
                        stale=any(str(r).strip() for r in readings),
                    )
                    for t, (reference, readings) in enumerate(typed[key])
                ]
            else:
                rows = base + [GridRow(index=0) for _i in range(BLANK_ROWS)]
            for row in rows:
                row.index = index
                index += 1
                row.readings = (row.readings + [""] * columns)[:columns]
            sections.append(
                Section(index=len(sections), range=spec, phase=phase, rows=rows, references=usable)
            )
    return {
        "sections": sections,
        "columns": list(range(columns)),
        "column_count": columns,
        "row_count": index,
    }


def _last_save(calibration):
    """When the points were last written (saved or removed): the grid's own clock."""
    return MeasurementPoint.history.filter(calibration_id=calibration.pk).aggregate(
        at=Max("history_date")
    )["at"]


def _draft_stamp(draft) -> str:
    return str(draft.cells.get("rev") or f"draft:{draft.saved_at.isoformat()}")


def _technicians_calibration(request, pk):
    """The calibration whose readings `request.user` enters: theirs, or refused (403/404)."""
    calibration = calibration_for_user(request.user, pk, "calibration.edit")
    if calibration.technician_id != request.user.pk:
        raise PermissionDenied(
            _("Only the technician who performs a calibration may enter its data.")
        )
    return calibration


class ConditionsForm(forms.Form):
    """The environment, adjustment and remarks; numbers typed with a comma or a point."""

    temperature = forms.CharField(
        label=gettext_lazy("Temperature (°C)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
    )
    humidity = forms.CharField(
        label=gettext_lazy("Relative humidity (%)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
    )
    adjustment = forms.ChoiceField(
        label=gettext_lazy("Adjustment"), choices=Adjustment.choices, widget=forms.RadioSelect
    )
    remarks = forms.CharField(
        label=gettext_lazy("Remarks"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=1000
    )

    def clean_temperature(self):
        return services.parse_reading(self.cleaned_data["temperature"])

    def clean_humidity(self):
        return services.parse_reading(self.cleaned_data["humidity"])


def _conditions_form(calibration) -> ConditionsForm:
    return ConditionsForm(
        initial={
            "temperature": figure(plain(calibration.temperature)),
            "humidity": figure(plain(calibration.humidity)),
            "adjustment": calibration.adjustment,
            "remarks": calibration.remarks,
        }
    )


@login_required
def calibration_detail(
    request, pk, *, grid_data=None, grid_errors=None, conditions_form=None, status=None
):
    calibration = calibration_for_user(request.user, pk)
    user = request.user
    editable = (
        calibration.is_editable
        and calibration.technician_id == user.pk
        and can(user, "calibration.edit")
    )
    points = list(calibration.points.select_related("reference__calibration__standard", "range"))
    context = {
        "calibration": calibration,
        "points": points,
        "uses": calibration.standard_uses.select_related(
            "standard", "standard_calibration__provider"
        ),
        "transitions": calibration.transitions.select_related("by"),
        "editable": editable,
        "return_form": ReturnForm(),
        "is_staff_view": user.is_lab_staff,
        "released": calibration.is_released_to(user),
        "grid_errors": grid_errors or [],
    }
    context.update(review_context(calibration, user))  # calibration/_review.html
    if calibration.state == State.ISSUED:
        context["certificate"] = getattr(calibration, "certificate", None)
    if editable:
        ranges = list(services.ranges_of(calibration))
        references = list(services.allowed_references(calibration))
        draft, restored_at = None, None
        if grid_data is None:
            draft = EntryDraft.objects.filter(calibration=calibration).first()
            last_save = _last_save(calibration)
            if draft is not None and (last_save is None or draft.saved_at > last_save):
                grid_data, restored_at = draft.cells, draft.saved_at
            else:
                draft = None
            stamp = _draft_stamp(draft) if draft else f"saved:{last_save or ''}"
        else:
            stamp = ""
        entry = _entry(
            calibration, points=points, ranges=ranges, references=references, data=grid_data
        )
        procedure = calibration.procedure
        entry.update(
            {
                "restored_at": restored_at,
                "stamp": stamp,
                "reason_needed": calibration.was_submitted,
                "limits": {
                    "temperature": _limits(procedure.temperature_min, procedure.temperature_max),
                    "humidity": _limits(procedure.humidity_min, procedure.humidity_max),
                },
                "no_ranges": not ranges,
            }
        )
        context["entry"] = entry
        context["conditions_form"] = conditions_form or _conditions_form(calibration)
    if status is None:
        status = 400 if grid_errors else 200
    return render(request, "calibration/calibration_detail.html", context, status=status)


def _limits(low, high) -> str:
    if low is None and high is None:
        return ""
    return f"{'…' if low is None else figure(plain(low))} – {'…' if high is None else figure(plain(high))}"


@login_required
@require_POST
def calibration_conditions(request, pk):
    """Temperature, humidity (within the procedure's limits), adjustment and remarks."""
    calibration = _technicians_calibration(request, pk)
    form = ConditionsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.calibration_set_conditions(
                calibration=calibration,
                by=request.user,
                reason=data["reason"],
                temperature=data["temperature"],
                humidity=data["humidity"],
                adjustment=data["adjustment"],
                remarks=data["remarks"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Conditions saved."))
            return redirect("calibration", pk=pk)
    return calibration_detail(request, pk, conditions_form=form, status=400)


@login_required
@require_POST
def points_save(request, pk):
    """Save the whole grid, every row or none; a refusal shows the grid again as it was typed."""
    calibration = _technicians_calibration(request, pk)
    ranges = {r.pk: r for r in services.ranges_of(calibration)}
    references = {str(r.pk): r for r in services.allowed_references(calibration)}
    sent = _read_grid(request.POST, default_range_id=next(iter(ranges), 0))
    errors = list(sent.problems)
    if not errors and any(range_id not in ranges for range_id, _p, _rows in sent.sections):
        errors.append(
            _("This range is not one of the instrument's for this procedure.")
            + " "
            + str(NOT_WHOLE)
        )
    if errors:
        return calibration_detail(request, pk, grid_data=request.POST, grid_errors=errors)
    rows = [
        services.Row(ranges[range_id], phase, references.get(reference), readings)
        for range_id, phase, typed in sent.sections
        for reference, readings in typed
    ]
    try:
        services.calibration_set_points(
            calibration=calibration,
            rows=rows,
            by=request.user,
            reason=request.POST.get("reason", ""),
            covered=[(ranges[range_id], phase) for range_id, phase, _rows in sent.sections],
        )
    except ValidationError as error:
        return calibration_detail(request, pk, grid_data=request.POST, grid_errors=error.messages)
    messages.success(request, _("Readings saved."))
    return redirect("calibration", pk=pk)


@login_required
@require_POST
def point_preview(request, pk):
    """The computed cells of one grid row and each cell's message, as the technician types."""
    calibration = _technicians_calibration(request, pk)
    index = request.POST.get("row", "")
    if not is_small_number(index):
        raise Http404
    columns = _count(request.POST, "columns", READING_COLUMNS, MAX_COLUMNS)
    reference_id = request.POST.get(f"p{index}-ref", "")
    readings = [request.POST.get(f"p{index}-r{j}", "") for j in range(columns)]
    ranges = list(services.ranges_of(calibration))
    range_text = request.POST.get("range", "")
    spec = ranges[0] if ranges and not range_text else None
    if is_small_number(range_text):
        spec = next((r for r in ranges if r.pk == int(range_text)), None)
    phase = request.POST.get("phase", "") or Phase.AS_LEFT
    reference = (
        services.allowed_references(calibration).filter(pk=reference_id).first()
        if is_small_number(reference_id)
        else None
    )
    known = {reference_id: reference} if reference else {}
    row = GridRow(
        index=int(index),
        reference=reference_id,
        readings=readings,
        messages=_cell_messages(reference_id, readings, known),
    )
    typed = [r for r in readings if r.strip()]
    if spec is None:
        row.problem = _("This range is not one of the instrument's for this procedure.")
    elif phase not in calibration.phases:
        row.problem = (
            _("As-found readings are entered only when the instrument is adjusted.")
            if phase == Phase.AS_FOUND
            else _("Unknown phase.")
        )
    elif any(name.startswith("r") for name in row.messages):
        row.problem = _("Correct the readings marked.")
    elif typed and reference is None:
        row.problem = _("Choose the reference value.")
    elif typed and reference.unit != spec.unit:
        row.problem = _(
            "The reference value is in %(ref)s but the instrument reads in %(unit)s."
        ) % {"ref": reference.unit, "unit": spec.unit}
    elif len(typed) >= 2:
        try:
            row.result = services.compute_point(
                services.computation_for(calibration),
                range=spec,
                reference=reference,
                readings=[services.parse_reading(r) for r in typed],
            )
        except ValidationError as error:
            row.problem = error.messages[0]
    elif typed:
        row.hint = _("Enter at least two readings.")
    return render(request, "calibration/_point_result.html", {"row": row})


MAX_CELL, MAX_DRAFT = 100, 200_000


@login_required
@require_POST
def entry_draft(request, pk):
    """Keep what is typed in the grid, every cell as typed, until the grid is saved (JSON)."""
    calibration = _technicians_calibration(request, pk)
    if not calibration.is_editable:
        return JsonResponse(
            {
                "error": _("This calibration is %(state)s; only a draft can be changed.")
                % {"state": calibration.get_state_display().lower()}
            },
            status=400,
        )
    if "discard" in request.POST:
        EntryDraft.objects.filter(calibration=calibration).delete()
        messages.info(request, _("Unsaved changes discarded."))
        return redirect("calibration", pk=pk)
    cells = {name: value for name, value in request.POST.items() if GRID_FIELD.match(name)}
    too_big = any(len(value) > MAX_CELL for value in cells.values())
    if too_big or sum(len(value) for value in cells.values()) > MAX_DRAFT:
        return JsonResponse(
            {"error": _("The draft is too large to keep; nothing was kept.")}, status=400
        )
    ranges = {r.pk for r in services.ranges_of(calibration)}
    sent = _read_grid(cells, default_range_id=next(iter(ranges), 0))
    if sent.problems or any(range_id not in ranges for range_id, _p, _r in sent.sections):
        return JsonResponse({"error": str(NOT_WHOLE)}, status=400)
    draft, _created = EntryDraft.objects.update_or_create(
        calibration=calibration, defaults={"cells": cells, "saved_by": request.user}
    )
    return JsonResponse(
        {
            "stamp": _draft_stamp(draft),
            "time": timezone.localtime(draft.saved_at).strftime("%H:%M:%S"),
        }
    )


MOVES = {
    "submit": services.calibration_submit,
    "review": services.calibration_review,
    "approve": services.calibration_approve,
    "return": services.calibration_return,
}
SIGNED = {"review", "approve"}


@login_required
@require_POST
def calibration_move(request, pk, move):
    if move not in MOVES:
        raise Http404
    calibration = calibration_for_user(request.user, pk)
    reason = request.POST.get("reason", "")
    signing = {"password": request.POST.get("password", "")} if move in SIGNED else {}
    try:
        MOVES[move](calibration=calibration, by=request.user, reason=reason, **signing)
    except (ValidationError, PermissionDenied) as error:
        message_refusal(request, error)
    else:
        messages.success(
            request,
            _("Done: the calibration is now %(state)s.")
            % {"state": calibration_for_user(request.user, pk).get_state_display().lower()},
        )
    return redirect("calibration", pk=pk)
