"""Who may do what: the one table of permissions, and the one rule for customer data.

Every view, API endpoint and service asks here. A role either holds an action or not; a customer
user additionally sees only rows of their own customer, and a miss is a 404 (we do not reveal that
another customer's record exists).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from lims.models import Role, User

T, R, Q, C, A = (
    Role.TECHNICIAN,
    Role.REVIEWER,
    Role.QUALITY_MANAGER,
    Role.CUSTOMER,
    Role.ADMINISTRATOR,
)
STAFF = frozenset({T, R, Q, A})

PERMISSIONS: dict[str, frozenset[str]] = {
    "customer.view": frozenset({T, R, Q, A, C}),
    "customer.edit": frozenset({R, Q, A}),
    "standard.view": STAFF,
    "standard.edit": frozenset({R, Q, A}),
    "standard.check": frozenset({T, R, Q, A}),
    "interval.decide": frozenset({Q}),
    "lookback.assess": frozenset({Q}),
    "procedure.view": STAFF,
    "procedure.edit": frozenset({R, Q}),
    "procedure.approve": frozenset({Q}),
    "authorisation.view": STAFF,
    "authorisation.grant": frozenset({Q}),
    "job.view": frozenset({T, R, Q, A, C}),
    "job.edit": frozenset({T, R, A}),
    "job.request": frozenset({C}),
    "instrument.view": frozenset({T, R, Q, A, C}),
    "instrument.edit": frozenset({T, R, A}),
    "instrument.recall": frozenset({C}),
    "calibration.view": frozenset({T, R, Q, A, C}),
    "calibration.edit": frozenset({T}),
    "calibration.submit": frozenset({T}),
    "calibration.review": frozenset({R}),
    "calibration.approve": frozenset({R}),
    "certificate.view": frozenset({T, R, Q, A, C}),
    "certificate.issue": frozenset({R}),
    "certificate.replace": frozenset({R, Q}),
    "certificate.withdraw": frozenset({R, Q}),
    "batch.view": STAFF,
    "verification.view": STAFF,
    "verification.edit": frozenset({T, R}),
    "verifier.grant": frozenset({Q}),
    "mark.manage": frozenset({R, Q, A}),
    "typelist.edit": frozenset({Q}),
    "campaign.edit": frozenset({R, Q}),
    "report.view": frozenset({R, Q, A}),
    "history.view": STAFF,
    "traceability.view": STAFF,
}


def can(user: User, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return bool(user.is_authenticated and user.is_active and user.role in PERMISSIONS[action])


def require(user: User, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(_("Your role does not allow this."))


def scoped(queryset: QuerySet, user: User, customer_path: str) -> QuerySet:
    """The rows of `queryset` that `user` may see; `customer_path` leads from a row to its customer."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.CUSTOMER:
        return queryset.filter(**{customer_path: user.customer_id})
    return queryset


def get_scoped(queryset: QuerySet, user: User, customer_path: str, action: str, **lookup):
    """One row the user may act on, or 404 when it is another customer's or does not exist."""
    require(user, action)
    try:
        return scoped(queryset, user, customer_path).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def check_password_again(by: User, password: str, *, refusal: type[Exception], message: str):
    """A signature or a decision of weight asks for the person's own password typed again; a wrong
    or empty one raises `refusal(message)`, each caller saying what the password is for."""
    if not password or not by.check_password(password):
        raise refusal(message)
