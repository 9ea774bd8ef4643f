from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
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
from calibration.models import State
from calibration.results import point_result
from lims.access import can, require
from lims.forms import add_service_error, message_refusal
from lims.paging import page_of

READING_COLUMNS = 5
BLANK_ROWS = 2
MAX_ROWS, MAX_COLUMNS = 500, 100


def _count(post, name, default, ceiling) -> int:
    """A row or column count from the grid's hidden fields; nonsense falls back, never a 500."""
    text = post.get(name, "")
    return min(int(text), ceiling) if is_small_number(text) else default


def is_small_number(text: str) -> bool:
    """ASCII digits only, and few of them: str.isdigit() alone admits '²' and 5000-digit runs."""
    return text.isascii() and text.isdigit() and len(text) <= 6


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


def _grid(calibration, post=None):
    """Rows of the entry grid: the saved points, then blank rows; `post` refills what was typed."""
    points = list(calibration.points.select_related("reference"))
    columns = max([READING_COLUMNS] + [len(p.readings) for p in points])
    rows = []
    for index in range(len(points) + BLANK_ROWS):
        point = points[index] if index < len(points) else None
        if post is not None:
            reference = post.get(f"p{index}-ref", "")
            readings = [post.get(f"p{index}-r{j}", "") for j in range(columns)]
        else:
            reference = str(point.reference_id) if point else ""
            readings = (point.readings if point else []) + [""] * columns
        rows.append(
            {"index": index, "point": point, "reference": reference, "readings": readings[:columns]}
        )
    return rows, columns


def _row_from_post(post, index):
    columns = _count(post, "columns", READING_COLUMNS, MAX_COLUMNS)
    return post.get(f"p{index}-ref", ""), [post.get(f"p{index}-r{j}", "") for j in range(columns)]


@login_required
def calibration_detail(request, pk, *, grid_post=None, grid_errors=None):
    calibration = calibration_for_user(request.user, pk)
    user = request.user
    editable = (
        calibration.is_editable
        and calibration.technician_id == user.pk
        and can(user, "calibration.edit")
    )
    context = {
        "calibration": calibration,
        "points": calibration.points.select_related("reference__calibration__standard"),
        "uses": calibration.standard_uses.select_related(
            "standard", "standard_calibration__provider"
        ),
        "transitions": calibration.transitions.select_related("by"),
        "editable": editable,
        "may": {
            "submit": calibration.state == State.DRAFT and editable,
            "review": calibration.state == State.SUBMITTED
            and can(user, "calibration.review")
            and calibration.technician_id != user.pk,
            "approve": calibration.state == State.REVIEWED
            and can(user, "calibration.approve")
            and calibration.technician_id != user.pk,
            "return": calibration.state in (State.SUBMITTED, State.REVIEWED)
            and can(user, "calibration.review")
            and calibration.technician_id != user.pk,
            "issue": calibration.state == State.APPROVED
            and can(user, "certificate.issue")
            and calibration.technician_id != user.pk,
        },
        "return_form": ReturnForm(),
        "is_staff_view": user.is_lab_staff,
        "released": calibration.is_released_to(user),
    }
    if calibration.state == State.ISSUED:
        context["certificate"] = getattr(calibration, "certificate", None)
    if editable:
        rows, columns = _grid(calibration, grid_post)
        context.update(
            {
                "rows": rows,
                "columns": range(columns),
                "column_count": columns,
                "references": list(services.allowed_references(calibration)),
                "grid_errors": grid_errors or [],
            }
        )
    return render(
        request, "calibration/calibration_detail.html", context, status=400 if grid_errors else 200
    )


@login_required
@require_POST
def points_save(request, pk):
    calibration = calibration_for_user(request.user, pk, "calibration.edit")
    references = {str(r.pk): r for r in services.allowed_references(calibration)}
    if not is_small_number(request.POST.get("rows", "")):
        return calibration_detail(
            request, pk, grid_errors=[_("The grid was not sent whole; nothing was saved.")]
        )
    count = _count(request.POST, "rows", 0, MAX_ROWS)
    rows = []
    for index in range(count):
        reference_id, readings = _row_from_post(request.POST, index)
        rows.append((references.get(reference_id), readings))
    try:
        services.calibration_set_points(calibration=calibration, rows=rows, by=request.user)
    except ValidationError as error:
        return calibration_detail(request, pk, grid_post=request.POST, grid_errors=error.messages)
    messages.success(request, _("Readings saved."))
    return redirect("calibration", pk=pk)


@login_required
@require_POST
def point_preview(request, pk):
    """The computed columns of one grid row, as the technician types (htmx)."""
    calibration = calibration_for_user(request.user, pk, "calibration.edit")
    if calibration.technician_id != request.user.pk:
        raise PermissionDenied(
            _("Only the technician who performs a calibration may enter its data.")
        )
    index = request.POST.get("row", "")
    if not is_small_number(index):
        raise Http404
    reference_id, readings = _row_from_post(request.POST, int(index))
    context = {"row": index}
    typed = [r for r in readings if r.strip()]
    reference = (
        services.allowed_references(calibration).filter(pk=reference_id).first()
        if is_small_number(reference_id)
        else None
    )
    try:
        values = [services.parse_reading(r) for r in typed]
        if reference is None and typed:
            raise ValidationError(_("Choose the reference value."))
        if len(values) >= 2:
            context["result"] = point_result(
                readings=values, reference=reference, resolution=calibration.instrument.resolution
            )
        elif typed:
            context["hint"] = _("Enter at least two readings.")
    except ValidationError as error:
        context["error"] = error.messages[0]
    return render(request, "calibration/_point_result.html", context)


MOVES = {
    "submit": services.calibration_submit,
    "review": services.calibration_review,
    "approve": services.calibration_approve,
    "return": services.calibration_return,
}


@login_required
@require_POST
def calibration_move(request, pk, move):
    if move not in MOVES:
        raise Http404
    calibration = calibration_for_user(request.user, pk)
    reason = request.POST.get("reason", "")
    try:
        MOVES[move](calibration=calibration, by=request.user, reason=reason)
    except (ValidationError, PermissionDenied) as error:
        message_refusal(request, error)
    else:
        messages.success(
            request,
            _("Done: the calibration is now %(state)s.")
            % {"state": calibration_for_user(request.user, pk).get_state_display().lower()},
        )
    return redirect("calibration", pk=pk)
