from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calibration import services
from calibration import workflow as flow
from calibration.access import (
    calibration_for_user,
    calibrations_for,
    instrument_for_user,
    instruments_for,
)
from calibration.entry import (
    GRID_FIELD,
    MAX_COLUMNS,
    NOT_WHOLE,
    READING_COLUMNS,
    STALE,
    GridRow,
    base_of,
    cell_messages,
    draft_stamp,
    grid_layout,
    last_save,
    read_grid,
    unsaved_draft,
)
from calibration.forms import CalibrationForm, ConditionsForm, InstrumentForm, ReturnForm
from calibration.models import EntryDraft, Phase, State
from calibration.results import plain
from calibration.review import review_context
from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal
from lims.paging import page_of
from lims.templatetags.lab import figure


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


def _technicians_calibration(request, pk):
    """The calibration whose readings `request.user` enters: theirs, or refused (403/404)."""
    calibration = calibration_for_user(request.user, pk, "calibration.edit")
    if calibration.technician_id != request.user.pk:
        raise PermissionDenied(
            _("Only the technician who performs a calibration may enter its data.")
        )
    return calibration


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
    context.update(review_context(calibration, user, points))  # calibration/_review.html
    if calibration.state == State.ISSUED:
        context["certificate"] = getattr(calibration, "certificate", None)
    if editable:
        ranges = list(services.ranges_of(calibration))
        references = list(services.allowed_references(calibration))
        saved_at = last_save(calibration)
        base = base_of(calibration, saved_at)
        draft, restored_at = None, None
        if grid_data is None:
            draft = unsaved_draft(calibration, saved_at)
            if draft is not None:
                grid_data, restored_at = draft.cells, draft.saved_at
            stamp = draft_stamp(draft) if draft else f"saved:{saved_at or ''}"
        else:
            stamp = ""
        entry = grid_layout(
            calibration, points=points, ranges=ranges, references=references, data=grid_data
        )
        procedure = calibration.procedure
        entry.update(
            {
                "restored_at": restored_at,
                "stamp": stamp,
                "base": base,
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
    sent = read_grid(request.POST, default_range_id=next(iter(ranges), 0))
    errors = list(sent.problems)
    if request.POST.get("base", base_of(calibration)) != base_of(calibration):
        errors.append(str(STALE))
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
        messages=cell_messages(reference_id, readings, known),
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
    if cells.get("base", base_of(calibration)) != base_of(calibration):
        return JsonResponse({"error": str(STALE)}, status=409)
    ranges = {r.pk for r in services.ranges_of(calibration)}
    sent = read_grid(cells, default_range_id=next(iter(ranges), 0))
    rows = sum(len(typed) for _r, _p, typed in sent.sections)
    layout = 6 + 3 * len(sent.sections)  # rows, columns, sections, rev, base; s{k}-…
    if (
        sent.problems
        or any(range_id not in ranges for range_id, _p, _r in sent.sections)
        or len(cells) > rows * (sent.columns + 1) + layout
    ):
        return JsonResponse({"error": str(NOT_WHOLE)}, status=400)
    draft, _created = EntryDraft.objects.update_or_create(
        calibration=calibration, defaults={"cells": cells, "saved_by": request.user}
    )
    return JsonResponse(
        {
            "stamp": draft_stamp(draft),
            "time": timezone.localtime(draft.saved_at).strftime("%H:%M:%S"),
        }
    )


MOVES = {
    "submit": flow.calibration_submit,
    "review": flow.calibration_review,
    "approve": flow.calibration_approve,
    "return": flow.calibration_return,
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
