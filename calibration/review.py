"""What a reviewer sees before signing: the data, its checks, and the signatures given so far.

The calibration page shows, for lab staff, the readings and each point's budget grouped by range
and phase, the environment against the procedure's limits, the standards with the validity of
their chain on the calibration's date, the signatures (each with whether it still holds for the
data), the last comments of a return, and the moves the user may make now. A review or approval
is an electronic signature: the password again, the meaning, the time, over the digest of the
data (`calibration.signing`).
"""

from django.utils import timezone

from calibration import signing
from calibration.models import Calibration, State
from calibration.workflow import chain_refusals, signature_problems
from competence.services import authorisation_for
from lims.access import can


def sections(points) -> list[dict]:
    """Points grouped by range and phase, in the order of the grid."""
    grouped: dict[tuple[int, str], dict] = {}
    for point in points:
        key = (point.range_id, point.phase)
        if key not in grouped:
            grouped[key] = {"range": point.range, "phase": point.get_phase_display(), "points": []}
        grouped[key]["points"].append(point)
    return list(grouped.values())


def review_context(calibration: Calibration, user, points=None) -> dict:
    """`points` are the calibration's points with their range and reference's standard, when
    the page has loaded them already."""
    if points is None:
        points = calibration.points.select_related("range", "reference__calibration__standard")
    points = sorted(points, key=lambda p: (p.range.position, p.range_id, p.phase, p.position))
    staff = user.is_lab_staff
    context = {
        "sections": sections(points),
        "may": _may(calibration, user),
    }
    if not staff:
        return context
    now = signing.digest(calibration)
    signatures = list(calibration.signatures.select_related("signer"))
    for signature in signatures:
        signature.holds = signature.digest == now
    returned = calibration.transitions.filter(to_state=State.DRAFT).order_by("-at", "-pk").first()
    context.update(
        {
            "signatures": signatures,
            "digest": now,
            "environment_problems": calibration.procedure.environment_problems(
                calibration.temperature, calibration.humidity
            ),
            "chain_problems": chain_refusals(calibration)
            if calibration.state in (State.SUBMITTED, State.REVIEWED)
            else [],
            "signature_problems": signature_problems(calibration)
            if calibration.state == State.APPROVED
            else [],
            "returned": returned if calibration.state == State.DRAFT else None,
        }
    )
    return context


def _may(calibration: Calibration, user) -> dict:
    second = calibration.technician_id != user.pk
    today = timezone.localdate()
    code = calibration.procedure.code
    state = calibration.state
    may = {
        "submit": state == State.DRAFT
        and calibration.technician_id == user.pk
        and can(user, "calibration.submit"),
        "return": state in (State.SUBMITTED, State.REVIEWED)
        and second
        and can(user, "calibration.review"),
        "review": state == State.SUBMITTED and second and can(user, "calibration.review"),
        "approve": state == State.REVIEWED and second and can(user, "calibration.approve"),
        "issue": state == State.APPROVED and second and can(user, "certificate.issue"),
    }
    # a signature button shows only to someone authorised: the refusal would come anyway
    for move, activity in (("review", "review"), ("approve", "approve")):
        if may[move] and authorisation_for(user, code, activity, today) is None:
            may[move] = False
            may[f"{move}_unauthorised"] = True
    may["sign"] = may["review"] or may["approve"]
    return may
