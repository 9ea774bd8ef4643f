"""On-site verification campaigns (kiểm định lưu động): a site on dates, a team and its standards.

A campaign is planned by the team leader's manager (campaign.edit): its standards must be usable
on every day of it (their chain to the SI holds on the first and on the last day). The team then
records the instruments of the site one row at a time from the entry page, each row a draft
verification of the campaign (`campaign_row_record`, idempotent by the row's client key, so a row
sent twice over a dropping connection is recorded once); at the end each verifier signs their
rows in one go (`campaign_rows_sign`). A closed campaign takes no more rows; its rows can still
be signed. `campaign_summary` gives what the campaign did, counted from the rows themselves.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lims.access import can, check_password_again, require
from lims.audit import stamp
from lims.models import User
from standards.models import Standard
from standards.services import StandardNotUsable, standard_check_usable
from verification.models import (
    Campaign,
    InstrumentType,
    Mark,
    Verification,
    VerificationState,
)
from verification.services import verification_record, verifications_issue

MAX_SIGN = 500  # rows signed in one request; the page sends larger campaigns in parts


def _day(value: dt.date) -> str:
    return date_format(value, "d/m/Y")


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def _check_people(leader: User, team: Iterable[User]) -> list[User]:
    members = {person.pk: person for person in team}
    members.setdefault(leader.pk, leader)
    outsiders = [str(person) for person in members.values() if not person.is_lab_staff]
    if outsiders:
        raise ValidationError(
            _("Only the lab's staff can be on a campaign team: %(people)s.")
            % {"people": ", ".join(sorted(outsiders))}
        )
    inactive = [str(person) for person in members.values() if not person.is_active]
    if inactive:
        raise ValidationError(
            _("These people can no longer log in: %(people)s.")
            % {"people": ", ".join(sorted(inactive))}
        )
    return list(members.values())


def _check_standards(standards: Iterable[Standard], starts_on: dt.date, ends_on: dt.date):
    """Every standard usable on the first and on the last day, or StandardNotUsable with all the
    reasons: an incoming certificate in force at both ends is in force between them."""
    chosen = list(standards)
    if not chosen:
        raise ValidationError(_("Choose at least one standard taken to the site."))
    problems: list[str] = []
    for standard in chosen:
        for day in sorted({starts_on, ends_on}):
            try:
                standard_check_usable(standard=standard, on=day)
            except StandardNotUsable as refusal:
                problems.extend(
                    _("On %(day)s: %(problem)s") % {"day": _day(day), "problem": message}
                    for message in refusal.messages
                )
                break
    if problems:
        raise StandardNotUsable(problems)
    return chosen


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ValidationError(_("A campaign cannot end before it starts."))
    if (ends_on - starts_on).days > 366:
        raise ValidationError(_("A campaign lasts at most a year; plan several."))


@transaction.atomic
def campaign_create(
    *,
    by: User,
    name: str,
    site: str,
    province: str,
    starts_on: dt.date,
    ends_on: dt.date,
    leader: User,
    team: Iterable[User],
    standards: Iterable[Standard],
    address: str = "",
    notes: str = "",
    reason: str = "",
) -> Campaign:
    """Plan a campaign. The leader is on the team; every standard must be usable on its dates."""
    require(by, "campaign.edit")
    _check_dates(starts_on, ends_on)
    members = _check_people(leader, team)
    chosen = _check_standards(standards, starts_on, ends_on)
    campaign = Campaign(
        name=_clean_text(name),
        site=_clean_text(site),
        address=_clean_text(address),
        province=_clean_text(province),
        starts_on=starts_on,
        ends_on=ends_on,
        leader=leader,
        notes=_clean_text(notes),
    )
    campaign.full_clean()
    stamp(campaign, by=by, reason=reason.strip() or _("Campaign planned"))
    campaign.save()
    campaign.team.set(members)
    campaign.standards.set(chosen)
    return campaign


def _open(campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.closed_at is not None:
        raise ValidationError(
            _("The campaign was closed on %(day)s: it takes no more changes.")
            % {"day": _day(timezone.localtime(campaign.closed_at).date())}
        )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    by: User,
    reason: str,
    name: str,
    site: str,
    province: str,
    starts_on: dt.date,
    ends_on: dt.date,
    leader: User,
    team: Iterable[User],
    standards: Iterable[Standard],
    address: str = "",
    notes: str = "",
) -> Campaign:
    """Change a campaign that is still open, saying why. Its recorded rows must stay within the
    new dates; the standards are checked again on them."""
    require(by, "campaign.edit")
    if not reason.strip():
        raise ValidationError(
            _("Say why the campaign changes (the reason is kept in the history).")
        )
    campaign = _open(campaign)
    _check_dates(starts_on, ends_on)
    outside = campaign.verifications.exclude(verified_on__range=(starts_on, ends_on))
    first = outside.order_by("verified_on").first()
    if first is not None:
        raise ValidationError(
            _(
                "%(count)d rows of this campaign were verified outside the new dates (the first on %(day)s)."
            )
            % {"count": outside.count(), "day": _day(first.verified_on)}
        )
    members = _check_people(leader, team)
    chosen = _check_standards(standards, starts_on, ends_on)
    campaign.name = _clean_text(name)
    campaign.site = _clean_text(site)
    campaign.address = _clean_text(address)
    campaign.province = _clean_text(province)
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.leader = leader
    campaign.notes = _clean_text(notes)
    campaign.full_clean()
    stamp(campaign, by=by, reason=reason.strip())
    campaign.save()
    campaign.team.set(members)
    campaign.standards.set(chosen)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, by: User, reason: str) -> Campaign:
    """Close a campaign: it takes no more rows (rows recorded can still be signed)."""
    require(by, "campaign.edit")
    if not reason.strip():
        raise ValidationError(_("Say why the campaign is closed."))
    campaign = _open(campaign)
    campaign.closed_at = timezone.now()
    stamp(campaign, by=by, reason=reason.strip())
    campaign.save(update_fields=["closed_at"])
    return campaign


# --- Rows ---------------------------------------------------------------------------------------


def is_member(campaign: Campaign, person: User) -> bool:
    return campaign.leader_id == person.pk or campaign.team.filter(pk=person.pk).exists()


def may_enter(campaign: Campaign, person: User) -> bool:
    """Whether `person` may record rows in the campaign: a team member who verifies, while open."""
    return (
        campaign.closed_at is None
        and can(person, "verification.edit")
        and is_member(campaign, person)
    )


class RowRefused(ValidationError):
    """A row the campaign does not take; the message says why."""


def campaign_row_record(
    *,
    campaign: Campaign,
    by: User,
    client_key: uuid.UUID,
    instrument_type: InstrumentType,
    owner: str,
    serial_number: str,
    verified_on: dt.date,
    specification: dict,
    tests: dict,
    kind: str,
    stall: str = "",
    manufacturer: str = "",
    model: str = "",
    mark_serial: str = "",
) -> tuple[Verification, bool]:
    """Record one row of the entry page as a draft verification of the campaign, verified by `by`.

    A row whose client key is already recorded (sent again when the connection dropped before
    the answer came back) gives the verification recorded then, and False: nothing changes, not
    even on a campaign closed since. Otherwise the campaign must be open, `by` on its team, the
    day within its dates and not to come; the site's address and province and the campaign's
    standards go on the verification. `mark_serial` notes the mark stuck on a passed instrument;
    it is taken from the stock when the row is signed.
    """
    require(by, "verification.edit")
    known = Verification.objects.filter(client_key=client_key).select_related("campaign").first()
    if known is not None:
        if known.campaign_id != campaign.pk:
            raise RowRefused(_("This row was recorded in another campaign."))
        return known, False
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)  # not closed meanwhile
        return _row_record(
            campaign=campaign,
            by=by,
            client_key=client_key,
            instrument_type=instrument_type,
            owner=owner,
            serial_number=serial_number,
            verified_on=verified_on,
            specification=specification,
            tests=tests,
            kind=kind,
            stall=stall,
            manufacturer=manufacturer,
            model=model,
            mark_serial=mark_serial,
        )


def _row_record(*, campaign, by, client_key, verified_on, mark_serial, **fields):
    if campaign.closed_at is not None:
        raise RowRefused(
            _("The campaign was closed on %(day)s: it takes no more rows.")
            % {"day": _day(timezone.localtime(campaign.closed_at).date())}
        )
    if not is_member(campaign, by):
        raise PermissionDenied(_("Only a member of the campaign's team can record its rows."))
    if not campaign.starts_on <= verified_on <= campaign.ends_on:
        raise RowRefused(
            _("The day %(day)s is outside the campaign (%(from)s – %(to)s).")
            % {
                "day": _day(verified_on),
                "from": _day(campaign.starts_on),
                "to": _day(campaign.ends_on),
            }
        )
    if verified_on > timezone.localdate():
        raise RowRefused(_("The day of verification cannot be in the future."))
    address = ", ".join(part for part in (campaign.site, campaign.address) if part)
    verification, created = verification_record(
        by=by,
        province=campaign.province,
        verified_on=verified_on,
        campaign=campaign,
        client_key=client_key,
        address=address[:300],
        standards=list(campaign.standards.all()),
        **fields,
    )
    mark_serial = mark_serial.strip().upper()
    if created and mark_serial:
        if not verification.passed:
            raise RowRefused(_("A failed instrument gets no mark: leave the mark empty."))
        verification.mark_serial = mark_serial
        stamp(verification, by=by, reason=_("Mark %(serial)s stuck on") % {"serial": mark_serial})
        verification.save(update_fields=["mark_serial"])
    return verification, created


def rows_to_sign(campaign: Campaign, person: User):
    """The campaign's draft rows that `person` verified, in the order they were recorded."""
    return campaign.verifications.filter(verifier=person, state=VerificationState.DRAFT).order_by(
        "pk"
    )


def campaign_rows_sign(
    *,
    campaign: Campaign,
    by: User,
    password: str,
    marks: dict[int, str] | None = None,
    after: int = 0,
    limit: int = MAX_SIGN,
) -> tuple[list[tuple[Verification, str | None]], int]:
    """Sign (issue) the rows `by` verified in the campaign, each in its own transaction, through
    every gate of a single issue (the verifier's card, the mark, the standards).

    Each passed row gets the mark noted on it on site (`marks` may name others, by row pk), or
    the lowest in stock. Takes the draft rows after the pk `after`, at most `limit`, so that a
    page can sign hundreds in parts and report as it goes. Returns each row with its refusal (or
    None) and how many of `by`'s draft rows remain after the last one taken.
    """
    require(by, "verification.edit")
    check_password_again(  # said once, not once per row
        by,
        password,
        refusal=ValidationError,
        message=_("The password is not right: signing needs your own password, typed again."),
    )
    limit = max(1, min(int(limit), MAX_SIGN))
    chosen = list(rows_to_sign(campaign, by).filter(pk__gt=after)[:limit])
    if not chosen:
        raise ValidationError(_("You have no unsigned row in this campaign."))
    marks = {row.pk: row.mark_serial for row in chosen if row.mark_serial} | (marks or {})
    outcome = verifications_issue(verifications=chosen, by=by, password=password, marks=marks)
    remaining = rows_to_sign(campaign, by).filter(pk__gt=chosen[-1].pk).count()
    return outcome, remaining


# --- Summary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeLine:
    code: str
    name: str
    verified: int
    passed: int
    failed: int


@dataclass(frozen=True)
class Summary:
    """What the campaign did, counted from its rows: `verified` rows recorded, of which
    `passed`, `failed` and `pending` (no verdict yet); `signed` of them issued; the marks put on
    instruments (their serials, and as runs of consecutive serials); the same counts by type."""

    verified: int
    passed: int
    failed: int
    pending: int
    signed: int
    marks: tuple[str, ...]
    mark_runs: tuple[str, ...]
    by_type: tuple[TypeLine, ...]

    @property
    def marks_used(self) -> int:
        return len(self.marks)


_SERIAL = re.compile(r"^(.*?)(\d+)$")


def serial_runs(serials: Iterable[str]) -> list[str]:
    """Consecutive serials of one series written as a run.

    >>> serial_runs(["A0000003", "A0000001", "A0000002", "A0000007", "B12"])
    ['A0000001–A0000003', 'A0000007', 'B12']
    """
    runs: list[list[str]] = []
    last: tuple[str, int, int] | None = None
    for serial in sorted(serials):
        match = _SERIAL.match(serial)
        key = (match.group(1), len(match.group(2)), int(match.group(2))) if match else None
        if (
            key is not None
            and last is not None
            and key[:2] == last[:2]
            and key[2] == last[2] + 1
            and runs
        ):
            runs[-1][1] = serial
        else:
            runs.append([serial, serial])
        last = key
    return [first if first == end else f"{first}–{end}" for first, end in runs]


def campaign_summary(campaign: Campaign) -> Summary:
    rows = Verification.objects.filter(campaign=campaign)
    counts = rows.aggregate(
        n_verified=Count("pk"),
        n_passed=Count("pk", filter=Q(passed=True)),
        n_failed=Count("pk", filter=Q(passed=False)),
        n_pending=Count("pk", filter=Q(passed__isnull=True)),
        n_signed=Count("pk", filter=Q(state=VerificationState.ISSUED)),
    )
    by_type = (
        rows.values("instrument_type__code", "instrument_type__name_vi")
        .annotate(
            n_verified=Count("pk"),
            n_passed=Count("pk", filter=Q(passed=True)),
            n_failed=Count("pk", filter=Q(passed=False)),
        )
        .order_by("instrument_type__name_vi", "instrument_type__code")
    )
    serials = tuple(
        Mark.objects.filter(verification__campaign=campaign)
        .order_by("serial")
        .values_list("serial", flat=True)
    )
    return Summary(
        verified=counts["n_verified"],
        passed=counts["n_passed"],
        failed=counts["n_failed"],
        pending=counts["n_pending"],
        signed=counts["n_signed"],
        marks=serials,
        mark_runs=tuple(serial_runs(serials)),
        by_type=tuple(
            TypeLine(
                code=line["instrument_type__code"],
                name=line["instrument_type__name_vi"],
                verified=line["n_verified"],
                passed=line["n_passed"],
                failed=line["n_failed"],
            )
            for line in by_type
        ),
    )
