"""Recording and issuing verifications: the one door for every write of a Verification.

A verification is recorded as a draft with its readings and its computed results (the verdict of
the rules, `verification.procedures`), possibly sent twice by an entry page that lost its
connection (the `client_key` makes the second send a no-op). Issuing it is the verifier's act:
the password typed again, a verifier card in force for the type on the day, the results computed
again and unchanged; then a number (`KD-…` for a certificate, `TB-…` for a notice of failure),
the validity from the list of types and a mark for a passed instrument, the PDF rendered once and
its SHA-256, all in one transaction. The database then freezes the row (verification.freezing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Kind
from certificates.numbering import NOTICE, number_next
from lims.access import check_password_again, require
from lims.audit import stamp
from lims.models import Customer, User
from standards.due import add_months  # calendar months, as a standard's due date
from standards.models import Standard
from standards.services import StandardNotUsable, standard_check_usable
from verification import procedures
from verification.cards import check_verifier
from verification.marks import mark_use
from verification.models import (
    Campaign,
    InstrumentType,
    ListStatus,
    Verification,
    VerificationKind,
    VerificationState,
)


class VerificationRefused(ValidationError):
    """A verification that cannot be recorded, changed or issued; the message says why."""


# What a draft's update may change (the verifier, the campaign and the key stay).
UPDATABLE = (
    "owner",
    "stall",
    "address",
    "province",
    "customer",
    "manufacturer",
    "model",
    "serial_number",
    "instrument_type",
    "specification",
    "kind",
    "verified_on",
    "tests",
    "standards",
)


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_type(instrument_type: InstrumentType) -> None:
    if instrument_type.type_list.status != ListStatus.IN_FORCE:
        raise VerificationRefused(
            _("%(type)s is not in the list of instrument types in force.")
            % {"type": instrument_type.name_vi}
        )


def _check_day(verified_on: dt.date, campaign: Campaign | None) -> None:
    if not isinstance(verified_on, dt.date):
        raise VerificationRefused(_("Give the date of verification."))
    if verified_on > timezone.localdate():
        raise VerificationRefused(
            _("The date of verification %(day)s is in the future.") % {"day": _day(verified_on)}
        )
    if campaign is not None:
        if campaign.closed_at is not None:
            raise VerificationRefused(
                _("The campaign %(campaign)s is closed: nothing more is recorded in it.")
                % {"campaign": campaign}
            )
        if not campaign.starts_on <= verified_on <= campaign.ends_on:
            raise VerificationRefused(
                _("The campaign %(campaign)s runs from %(start)s to %(end)s, not on %(day)s.")
                % {
                    "campaign": campaign,
                    "start": _day(campaign.starts_on),
                    "end": _day(campaign.ends_on),
                    "day": _day(verified_on),
                }
            )


def _check_standards(standards: Iterable[Standard], on: dt.date) -> list[Standard]:
    chosen = list(standards)
    errors: list[str] = []
    for standard in chosen:
        try:
            standard_check_usable(standard=standard, on=on)
        except StandardNotUsable as refusal:
            errors.extend(refusal.messages)
    if errors:
        raise StandardNotUsable(errors)
    return chosen


def _full_clean(verification: Verification, exclude: list[str]) -> None:
    """Model validation, each message naming its field."""
    try:
        verification.full_clean(exclude=exclude)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        messages = []
        for name, errors in error.message_dict.items():
            if name == "__all__":
                messages.extend(errors)
                continue
            label = Verification._meta.get_field(name).verbose_name
            messages.extend(f"{label}: {message}" for message in errors)
        raise VerificationRefused(messages) from error


def _evaluate(verification: Verification) -> dict:
    recommendation = verification.instrument_type.recommendation
    results = procedures.evaluate(
        recommendation, verification.specification, verification.kind, verification.tests
    )
    verification.specification = results["specification"]
    verification.tests = procedures.clean_tests(recommendation, verification.tests)
    return results


def verification_record(
    *,
    by: User,
    instrument_type: InstrumentType,
    owner: str,
    serial_number: str,
    province: str,
    verified_on: dt.date,
    kind: str,
    specification: dict,
    tests: dict,
    campaign: Campaign | None = None,
    client_key: Any = None,
    customer: Customer | None = None,
    stall: str = "",
    address: str = "",
    manufacturer: str = "",
    model: str = "",
    standards: Iterable[Standard] = (),
    reason: str = "",
) -> tuple[Verification, bool]:
    """Record one verified instrument as a draft, its results computed: (verification, created).

    A `client_key` already recorded returns that verification and False, and changes nothing:
    the entry page resends what it is not sure arrived. `by` is the verifier. The standards are
    the campaign's when none are named.
    """
    require(by, "verification.edit")
    if client_key:
        known = Verification.objects.filter(client_key=client_key).first()
        if known is not None:
            return known, False
    try:
        with transaction.atomic():
            return _record(
                by=by,
                instrument_type=instrument_type,
                owner=owner,
                serial_number=serial_number,
                province=province,
                verified_on=verified_on,
                kind=kind,
                specification=specification,
                tests=tests,
                campaign=campaign,
                client_key=client_key,
                customer=customer,
                stall=stall,
                address=address,
                manufacturer=manufacturer,
                model=model,
                standards=standards,
                reason=reason,
            ), True
    except IntegrityError:
        # the same key arrived twice at once: the other send recorded it
        if client_key:
            known = Verification.objects.filter(client_key=client_key).first()
            if known is not None:
                return known, False
        raise


def _record(*, by, instrument_type, campaign, client_key, standards, reason, **fields):
    _check_type(instrument_type)
    _check_day(fields["verified_on"], campaign)
    if fields["kind"] not in VerificationKind.values:
        raise VerificationRefused(_("Choose the kind of verification."))
    if campaign is not None:
        fields["province"] = (fields["province"] or "").strip() or campaign.province
        fields["address"] = (fields["address"] or "").strip() or ", ".join(
            part for part in (campaign.site, campaign.address) if part
        )
    chosen = list(standards) or (list(campaign.standards.all()) if campaign is not None else [])
    chosen = _check_standards(chosen, fields["verified_on"])
    verification = Verification(
        instrument_type=instrument_type,
        campaign=campaign,
        verifier=by,
        customer=fields["customer"],
        owner=(fields["owner"] or "").strip(),
        stall=(fields["stall"] or "").strip(),
        address=(fields["address"] or "").strip(),
        province=(fields["province"] or "").strip(),
        manufacturer=(fields["manufacturer"] or "").strip(),
        model=(fields["model"] or "").strip(),
        serial_number=(fields["serial_number"] or "").strip(),
        specification=fields["specification"],
        kind=fields["kind"],
        verified_on=fields["verified_on"],
        tests=fields["tests"],
    )
    if client_key:
        verification.client_key = client_key
    results = _evaluate(verification)
    verification.results = results
    verification.passed = results["passed"]
    _full_clean(verification, ["token", "client_key"] if client_key else ["token"])
    stamp(verification, by=by, reason=reason or _("Recorded"))
    verification.save()
    if chosen:
        verification.standards.set(chosen)
    return verification


@transaction.atomic
def verification_update(
    *, verification: Verification, by: User, reason: str, **fields: Any
) -> Verification:
    """Change a draft (its readings, its instrument, its standards); the results are computed
    again. The reason is kept in its history."""
    require(by, "verification.edit")
    if not (reason or "").strip():
        raise VerificationRefused(_("Give the reason for the change."))
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise VerificationRefused(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    if verification.state != VerificationState.DRAFT:
        raise VerificationRefused(_("An issued verification cannot be changed."))
    standards = fields.pop("standards", None)
    for name, value in fields.items():
        setattr(verification, name, value.strip() if isinstance(value, str) else value)
    _check_type(verification.instrument_type)
    _check_day(verification.verified_on, verification.campaign)
    if verification.kind not in VerificationKind.values:
        raise VerificationRefused(_("Choose the kind of verification."))
    if standards is not None:
        standards = _check_standards(standards, verification.verified_on)
    else:
        _check_standards(verification.standards.all(), verification.verified_on)
    results = _evaluate(verification)
    verification.results = results
    verification.passed = results["passed"]
    _full_clean(verification, ["token"])
    stamp(verification, by=by, reason=reason.strip())
    verification.save()
    if standards is not None:
        verification.standards.set(standards)
    return verification


# --- issuing ------------------------------------------------------------------------------------


def _check_password(by: User, password: str) -> None:
    check_password_again(
        by,
        password,
        refusal=VerificationRefused,
        message=_("The password is not right: issuing needs your own password, typed again."),
    )


def _issue(verification: Verification, *, by: User, mark_serial: str) -> Verification:
    """Issue one verification, the password already checked; inside a transaction."""
    verification = (
        Verification.objects.select_for_update(of=("self",))
        .select_related("instrument_type__type_list", "verifier", "campaign", "customer")
        .get(pk=verification.pk)
    )
    if verification.state != VerificationState.DRAFT:
        raise VerificationRefused(
            _("%(verification)s is already issued.") % {"verification": verification}
        )
    if verification.verifier_id != by.pk:
        raise PermissionDenied(
            _("Only the verifier who verified the instrument (%(verifier)s) can issue it.")
            % {"verifier": verification.verifier}
        )
    kind = verification.instrument_type
    # The card must hold on the day of verification and still on the day of signing: a card
    # revoked or expired since cannot sign work it covered.
    card = check_verifier(by, kind.code, verification.verified_on, kind.name_vi)
    check_verifier(by, kind.code, timezone.localdate(), kind.name_vi)
    _check_type(kind)
    standards = list(verification.standards.all())
    if not standards:
        raise VerificationRefused(_("Name the standards used before issuing."))
    _check_standards(standards, verification.verified_on)
    stored = verification.results
    results = _evaluate(verification)
    if results != stored or results["passed"] != verification.passed:
        raise VerificationRefused(
            _(
                "The stored results are not what the rules give for these readings: "
                "record the verification again before issuing."
            )
        )
    now = timezone.now()
    year = timezone.localdate(now).year
    mark = None
    if verification.passed:
        verification.number = number_next(kind=Kind.VERIFICATION, year=year)
        if kind.interval_months:
            verification.valid_until = add_months(verification.verified_on, kind.interval_months)
        # the serial given, else the one noted on site, else the lowest in stock
        serial = (mark_serial or "").strip() or verification.mark_serial
        mark = mark_use(verification=verification, by=by, serial=serial)
    else:
        if (mark_serial or "").strip():
            raise VerificationRefused(
                _("%(verification)s failed: a failed instrument gets no mark (%(serial)s).")
                % {"verification": verification, "serial": mark_serial.strip()}
            )
        verification.number = number_next(kind=NOTICE, year=year)
    verification.issued_at = now
    verification.token = secrets.token_urlsafe(32)
    verification.state = VerificationState.ISSUED

    from verification.render import render_pdf  # WeasyPrint loads only when issuing

    verification.pdf = render_pdf(verification, card=card, mark=mark)
    verification.sha256 = hashlib.sha256(verification.pdf).hexdigest()
    stamp(
        verification,
        by=by,
        reason=_("Issued %(number)s") % {"number": verification.number},
    )
    verification.save(
        update_fields=[
            "number",
            "valid_until",
            "issued_at",
            "token",
            "state",
            "pdf",
            "sha256",
        ]
    )
    return verification


@transaction.atomic
def verification_issue(
    *, verification: Verification, by: User, password: str, mark_serial: str = ""
) -> Verification:
    """Issue a verification: a certificate and a mark if it passed, a notice of failure if not.

    `by` must be the verifier, holding a card in force for the type on the day, with the password
    typed again. `mark_serial` is the mark stuck on the instrument (else the one noted on the
    verification on site, else the lowest in stock); a failed instrument takes none.
    All or nothing."""
    require(by, "verification.edit")
    _check_password(by, password)
    return _issue(verification, by=by, mark_serial=mark_serial)


def verifications_issue(
    *,
    verifications: Iterable[Verification],
    by: User,
    password: str,
    marks: dict[int, str] | None = None,
) -> list[tuple[Verification, str | None]]:
    """Issue several verifications (a campaign's), each on its own: one refusal does not stop
    the rest. Returns each verification (issued, or as it was) with the refusal or None."""
    require(by, "verification.edit")
    marks = marks or {}
    chosen = list(verifications)
    try:
        _check_password(by, password)
    except ValidationError as refusal:
        return [(v, " ".join(refusal.messages)) for v in chosen]
    out: list[tuple[Verification, str | None]] = []
    for verification in chosen:
        try:
            with transaction.atomic():
                issued = _issue(
                    verification, by=by, mark_serial=marks.get(verification.pk, "") or ""
                )
        except ValidationError as refusal:
            out.append((verification, " ".join(refusal.messages)))
        except PermissionDenied as refusal:
            out.append((verification, str(refusal)))
        else:
            out.append((issued, None))
    return out
