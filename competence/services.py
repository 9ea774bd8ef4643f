"""Authorisations of people for procedures: the gate other apps ask, and its two writes.

Other apps ask `check_authorised(person, code, activity, on)` before a person performs, reviews or
approves a calibration by a procedure; only the quality manager grants and revokes.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from competence.models import ACTIVITY_VERBS, Authorisation, day_shown
from lims.access import require
from lims.audit import stamp
from lims.models import User


class NotAuthorised(ValidationError):
    """A person holds no authorisation in force for a procedure and activity on a day; the message
    names the person, the activity, the procedure, the day and what is missing."""


def _verb(activity: str) -> str:
    return str(ACTIVITY_VERBS.get(activity, activity))


def _held(person, procedure_code: str, activity: str) -> QuerySet[Authorisation]:
    return Authorisation.objects.filter(
        person=person, procedure_code=procedure_code.strip(), activity=activity
    )


def authorisation_for(
    person, procedure_code: str, activity: str, on: dt.date
) -> Authorisation | None:
    """The authorisation in force on `on` for this person, procedure and activity, if any."""
    if person is None or person.pk is None:
        return None
    return _held(person, procedure_code, activity).in_force_on(on).order_by("-valid_from").first()


def _why_not(person, procedure_code: str, activity: str, on: dt.date) -> str:
    """What is missing: the most recent authorisation that began by `on` explains why it no
    longer holds; failing that, the next one to start; failing that, there is none."""
    held = _held(person, procedure_code, activity) if person and person.pk else None
    if held is not None:
        began = held.filter(valid_from__lte=on).order_by("-valid_from", "-pk").first()
        upcoming = held.filter(valid_from__gt=on).order_by("valid_from", "pk").first()
        for authorisation in (began, upcoming):
            if authorisation is not None:
                return authorisation.not_in_force_because(on)
    return _("no authorisation is recorded")


def check_authorised(person, procedure_code: str, activity: str, on: dt.date) -> Authorisation:
    """The authorisation that allows `person` to do `activity` by `procedure_code` on `on`, or
    NotAuthorised saying why not. Validity days are inclusive; a revocation holds from its day."""
    authorisation = authorisation_for(person, procedure_code, activity, on)
    if authorisation is not None:
        return authorisation
    raise NotAuthorised(
        _("%(person)s is not authorised to %(activity)s %(code)s on %(day)s: %(why)s.")
        % {
            "person": person,
            "activity": _verb(activity),
            "code": procedure_code.strip(),
            "day": day_shown(on),
            "why": _why_not(person, procedure_code, activity, on),
        },
        code="not_authorised",
    )


def authorised_people(procedure_code: str, activity: str, on: dt.date) -> QuerySet[User]:
    """The people who hold an authorisation in force on `on` for this procedure and activity."""
    holders = (
        Authorisation.objects.filter(procedure_code=procedure_code.strip(), activity=activity)
        .in_force_on(on)
        .values("person")
    )
    return User.objects.filter(pk__in=holders).order_by("last_name", "first_name", "username")


def _overlaps(existing: Authorisation, start: dt.date, end: dt.date | None) -> bool:
    last = existing.last_day
    if last is not None and last < existing.valid_from:
        return False  # revoked on its first day: it never held
    return (end is None or existing.valid_from <= end) and (last is None or start <= last)


def _described(authorisation: Authorisation) -> str:
    text = authorisation.validity
    if authorisation.revoked_on:
        text += "; " + _("revoked on %(day)s") % {"day": day_shown(authorisation.revoked_on)}
    return text


@transaction.atomic
def authorisation_grant(
    *,
    person: User,
    procedure_code: str,
    activity: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    evidence_kind: str,
    evidence: str,
    by: User,
    reason: str = "",
) -> Authorisation:
    """Authorise a member of the lab staff to perform, review or approve by a procedure."""
    require(by, "authorisation.grant")
    # One grant at a time per person, so two overlapping grants cannot both pass the check below.
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_lab_staff:
        raise ValidationError(
            _("%(person)s is a customer user: only lab staff can be authorised.")
            % {"person": person},
            code="not_staff",
        )
    if not person.is_active:
        raise ValidationError(
            _("%(person)s is no longer active and cannot be authorised.") % {"person": person},
            code="inactive",
        )
    if person.pk == by.pk:
        raise ValidationError(
            _(
                "You cannot grant an authorisation to yourself: another quality manager must grant it."
            ),
            code="self_grant",
        )
    procedure_code = (procedure_code or "").strip()
    if not procedure_code:
        raise ValidationError(_("Name the procedure code."), code="no_code")
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(
            _(
                "Describe the evidence of competence: the training, supervised work, qualification or assessment."
            ),
            code="no_evidence",
        )
    authorisation = Authorisation(
        person=person,
        procedure_code=procedure_code,
        activity=activity,
        valid_from=valid_from,
        valid_until=valid_until,
        evidence_kind=evidence_kind,
        evidence=evidence,
        granted_by=by,
    )
    authorisation.full_clean()
    for existing in Authorisation.objects.filter(
        person=person, procedure_code=procedure_code, activity=activity
    ):
        if _overlaps(existing, valid_from, valid_until):
            raise ValidationError(
                _(
                    "%(person)s already holds an authorisation to %(activity)s %(code)s (%(validity)s, granted by %(by)s) that overlaps these days."
                )
                % {
                    "person": person,
                    "activity": _verb(activity),
                    "code": procedure_code,
                    "validity": _described(existing),
                    "by": existing.granted_by,
                },
                code="overlap",
            )
    stamp(authorisation, by=by, reason=reason.strip() or _("Authorisation granted"))
    authorisation.save()
    return authorisation


@transaction.atomic
def authorisation_revoke(
    *, authorisation: Authorisation, on: dt.date, reason: str, by: User
) -> Authorisation:
    """End an authorisation from `on` (that day included); the reason is kept on the record."""
    require(by, "authorisation.grant")
    authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the revocation."), code="no_reason")
    if authorisation.revoked_on:
        raise ValidationError(
            _("This authorisation was already revoked on %(day)s.")
            % {"day": day_shown(authorisation.revoked_on)},
            code="already_revoked",
        )
    if on < authorisation.valid_from:
        raise ValidationError(
            _("The authorisation starts on %(day)s: it cannot be revoked before that day.")
            % {"day": day_shown(authorisation.valid_from)},
            code="before_start",
        )
    if authorisation.valid_until and on > authorisation.valid_until:
        raise ValidationError(
            _("The authorisation already ended on %(day)s: there is nothing to revoke.")
            % {"day": day_shown(authorisation.valid_until)},
            code="already_ended",
        )
    authorisation.revoked_on = on
    authorisation.revoked_reason = reason
    authorisation.full_clean()
    stamp(authorisation, by=by, reason=reason)
    authorisation.save(update_fields=["revoked_on", "revoked_reason"])
    return authorisation
