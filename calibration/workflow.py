"""The workflow of a calibration: its moves and the signatures that review and approve it.

A calibration moves draft → submitted → reviewed → approved → issued, and back to draft when a
reviewer returns it. Each move checks who may make it (the role, and the person's authorisation
for the procedure: `competence`), records a Transition row and stamps the history with the user
and the reason. Reviewing and approving are electronic signatures over the data
(`calibration.signing`); a change to the data after a signature voids it, and approval and issue
are refused. The last move, to issued, belongs to `certificates`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calibration import signing
from calibration.entry import UNSAVED, unsaved_draft
from calibration.models import (
    Adjustment,
    Calibration,
    EntryDraft,
    Phase,
    Signature,
    State,
    Transition,
)
from calibration.services import WorkflowError, lock_calibration, ranges_of
from competence.services import check_authorised
from lims.access import check_password_again, require
from lims.audit import stamp
from lims.models import User
from standards.chain import chain_of
from standards.services import StandardNotUsable


def _move(calibration: Calibration, *, to: str, by: User, reason: str) -> Calibration:
    origin = calibration.state
    calibration.state = to
    stamp(calibration, by=by, reason=reason or calibration.get_state_display())
    calibration.save(update_fields=["state"])
    Transition.objects.create(
        calibration=calibration, from_state=origin, to_state=to, by=by, reason=reason
    )
    return calibration


def _expect(calibration: Calibration, state: str) -> None:
    if calibration.state != state:
        raise WorkflowError(
            _("This calibration is %(state)s; this step needs it %(needed)s.")
            % {
                "state": calibration.get_state_display().lower(),
                "needed": State(state).label.lower(),
            }
        )


def _check_second_person(calibration: Calibration, by: User) -> None:
    if calibration.technician_id == by.pk:
        raise PermissionDenied(
            _(
                "A second person must review and approve: not the technician who performed the calibration."
            )
        )


@transaction.atomic
def calibration_submit(*, calibration: Calibration, by: User, reason: str = "") -> Calibration:
    calibration = lock_calibration(calibration)
    require(by, "calibration.submit")
    if calibration.technician_id != by.pk:
        raise PermissionDenied(
            _("Only the technician who performed the calibration may submit it.")
        )
    _expect(calibration, State.DRAFT)
    if unsaved_draft(calibration) is not None:
        raise WorkflowError(str(UNSAVED))
    EntryDraft.objects.filter(calibration=calibration).delete()  # typed over older readings
    points = calibration.points.exclude(result=None)
    if not points.exists():
        raise WorkflowError(_("Enter at least one measurement point before submitting."))
    if (
        calibration.adjustment == Adjustment.ADJUSTED
        and not points.filter(phase=Phase.AS_FOUND).exists()
    ):
        raise WorkflowError(
            _("The instrument was adjusted: enter the as-found readings before submitting.")
        )
    problems = calibration.procedure.environment_problems(
        calibration.temperature, calibration.humidity
    )
    measured = set(points.values_list("range_id", "phase"))
    for spec in ranges_of(calibration):
        for phase in calibration.phases:
            if (spec.pk, phase) not in measured:
                problems.append(
                    _("%(range)s · %(phase)s has no point: measure it before submitting.")
                    % {"range": spec.name, "phase": Phase(phase).label}
                )
    if problems:
        raise WorkflowError(problems)
    # a revocation recorded since the calibration was opened may reach back to its date
    check_authorised(by, calibration.procedure.code, "perform", calibration.performed_on)
    return _move(calibration, to=State.SUBMITTED, by=by, reason=reason)


@transaction.atomic
def calibration_return(*, calibration: Calibration, by: User, reason: str) -> Calibration:
    """A reviewer sends a submitted or reviewed calibration back to the technician, with comments;
    an approved one too when its signatures no longer hold (it could never be issued)."""
    calibration = lock_calibration(calibration)
    require(by, "calibration.review")
    _check_second_person(calibration, by)
    stuck = calibration.state == State.APPROVED and signature_problems(calibration)
    if calibration.state not in (State.SUBMITTED, State.REVIEWED) and not stuck:
        _expect(calibration, State.SUBMITTED)
    if not reason.strip():
        raise ValidationError(_("Say why the calibration goes back to the technician."))
    return _move(calibration, to=State.DRAFT, by=by, reason=reason)


class SignatureRefused(ValidationError):
    """A signature that cannot be given: wrong password, or the data signed before changed."""


def _sign(calibration: Calibration, *, by: User, password: str, meaning: str) -> Signature:
    check_password_again(
        by,
        password,
        refusal=SignatureRefused,
        message=_("The password is not right: signing needs your own password, typed again."),
    )
    data = signing.content(calibration)
    return Signature.objects.create(
        calibration=calibration,
        meaning=meaning,
        signer=by,
        signed_at=timezone.now(),
        digest=signing.digest_of(data),
        content=data,
    )


def signature_of(calibration: Calibration, meaning: str) -> Signature | None:
    """The latest signature with this meaning."""
    return calibration.signatures.filter(meaning=meaning).order_by("-signed_at", "-pk").first()


def signature_problems(calibration: Calibration, meanings=("reviewed", "approved")) -> list[str]:
    """Why the signatures a calibration needs do not hold for its present data; empty if they do."""
    now = signing.digest(calibration)
    problems = []
    for meaning in meanings:
        signature = signature_of(calibration, meaning)
        label = Signature.Meaning(meaning).label.lower()
        if signature is None:
            problems.append(
                _("The calibration has no “%(meaning)s” signature.") % {"meaning": label}
            )
        elif signature.digest != now:
            problems.append(
                _(
                    "The “%(meaning)s” signature of %(signer)s (%(at)s) is void: the data changed after it was signed."
                )
                % {
                    "meaning": label,
                    "signer": signature.signer,
                    "at": timezone.localtime(signature.signed_at).strftime("%d/%m/%Y %H:%M"),
                }
            )
    return problems


@transaction.atomic
def calibration_review(
    *, calibration: Calibration, by: User, password: str, reason: str = ""
) -> Calibration:
    """Review and sign: the reviewer's password again, authorised to review this procedure."""
    calibration = lock_calibration(calibration)
    require(by, "calibration.review")
    _check_second_person(calibration, by)
    _expect(calibration, State.SUBMITTED)
    check_authorised(by, calibration.procedure.code, "review", timezone.localdate())
    _sign(calibration, by=by, password=password, meaning=Signature.Meaning.REVIEWED)
    return _move(calibration, to=State.REVIEWED, by=by, reason=reason)


@transaction.atomic
def calibration_approve(
    *, calibration: Calibration, by: User, password: str, reason: str = ""
) -> Calibration:
    """Approve and sign a reviewed calibration.

    Refused unless `by` is authorised to approve the procedure today, the review signature still
    holds for the data, and every standard it used was valid on its date.
    """
    calibration = lock_calibration(calibration)
    require(by, "calibration.approve")
    _check_second_person(calibration, by)
    _expect(calibration, State.REVIEWED)
    check_authorised(by, calibration.procedure.code, "approve", timezone.localdate())
    problems = signature_problems(calibration, meanings=["reviewed"])
    if problems:
        raise SignatureRefused(problems)
    errors = chain_refusals(calibration)
    if errors:
        raise StandardNotUsable(errors)
    _sign(calibration, by=by, password=password, meaning=Signature.Meaning.APPROVED)
    return _move(calibration, to=State.APPROVED, by=by, reason=reason)


def chain_refusals(calibration: Calibration) -> list[str]:
    """Why the standards a calibration used (each through the certificate it recorded, for the
    calibration and for each point) were not valid on its date; empty when every chain holds."""
    used = {
        (use.standard, use.standard_calibration)
        for use in calibration.standard_uses.select_related("standard", "standard_calibration")
    }
    used |= {
        (point.reference.calibration.standard, point.reference.calibration)
        for point in calibration.points.select_related("reference__calibration__standard")
    }
    errors = []
    for standard, certificate in sorted(used, key=lambda pair: (pair[0].asset_number, pair[1].pk)):
        for link in chain_of(standard, calibration.performed_on, certificate).problems:
            if link.problem not in errors:
                errors.append(link.problem)
    return errors


def calibration_mark_issued(*, calibration: Calibration, by: User, reason: str) -> Calibration:
    """The last move, made by `certificates.services.certificate_issue` inside its transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("calibration_mark_issued must run inside the issuing transaction")
    require(by, "certificate.issue")
    _expect(calibration, State.APPROVED)
    return _move(calibration, to=State.ISSUED, by=by, reason=reason)
