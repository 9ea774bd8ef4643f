"""Verifier cards (thẻ kiểm định viên): the gate a verification asks before it is issued.

Only a person holding a card in force for the instrument type on the day of verification may
sign it; the refusal names the person, the type, the day and why (no card, expired, not yet
valid, revoked). The quality manager records and revokes cards.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lims.access import require
from lims.audit import stamp
from lims.models import User
from verification.models import VerifierCard


class VerifierRefused(ValidationError):
    """The person holds no verifier card in force for the type on the day; the message says why."""


def _day(on: dt.date) -> str:
    return on.strftime("%d/%m/%Y")


def cards_in_force(type_code: str, on: dt.date):
    return VerifierCard.objects.filter(
        type_code=type_code, valid_from__lte=on, valid_until__gte=on
    ).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))


def card_for(person: User, type_code: str, on: dt.date) -> VerifierCard | None:
    if person is None or person.pk is None:
        return None
    return cards_in_force(type_code, on).filter(person=person).order_by("-valid_until").first()


def _why_not(person: User, type_code: str, on: dt.date) -> str:
    held = VerifierCard.objects.filter(person=person, type_code=type_code)
    revoked = held.filter(revoked_on__lte=on).order_by("-revoked_on").first()
    if revoked is not None:
        return _("card %(card)s was revoked on %(day)s (%(why)s)") % {
            "card": revoked.card_number,
            "day": _day(revoked.revoked_on),
            "why": revoked.revoked_reason,
        }
    expired = held.filter(valid_until__lt=on).order_by("-valid_until").first()
    if expired is not None:
        return _("card %(card)s expired on %(day)s") % {
            "card": expired.card_number,
            "day": _day(expired.valid_until),
        }
    upcoming = held.filter(valid_from__gt=on).order_by("valid_from").first()
    if upcoming is not None:
        return _("card %(card)s is valid only from %(day)s") % {
            "card": upcoming.card_number,
            "day": _day(upcoming.valid_from),
        }
    return _("no verifier card for this type is recorded")


def check_verifier(person: User, type_code: str, on: dt.date, type_name: str = "") -> VerifierCard:
    """The card allowing `person` to verify instruments of `type_code` on `on`, or VerifierRefused
    saying why not. Validity days are inclusive; a revocation holds from its day."""
    card = card_for(person, type_code, on)
    if card is not None:
        return card
    raise VerifierRefused(
        _("%(person)s may not verify %(type)s on %(day)s: %(why)s.")
        % {
            "person": person,
            "type": type_name or type_code,
            "day": _day(on),
            "why": _why_not(person, type_code, on),
        },
        code="not_a_verifier",
    )


@transaction.atomic
def card_record(
    *,
    person: User,
    card_number: str,
    type_code: str,
    issued_by: str,
    valid_from: dt.date,
    valid_until: dt.date,
    by: User,
    reason: str = "",
) -> VerifierCard:
    require(by, "verifier.grant")
    if not person.is_lab_staff:
        raise ValidationError(_("Only a member of the lab's staff can hold a verifier card."))
    card = VerifierCard(
        person=person,
        card_number=card_number.strip(),
        type_code=type_code.strip(),
        issued_by=issued_by.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    card.full_clean()
    stamp(card, by=by, reason=reason or _("Verifier card recorded"))
    card.save()
    return card


@transaction.atomic
def card_revoke(*, card: VerifierCard, on: dt.date, by: User, reason: str) -> VerifierCard:
    require(by, "verifier.grant")
    card = VerifierCard.objects.select_for_update().get(pk=card.pk)
    if card.revoked_on is not None:
        raise ValidationError(_("This card is already revoked."))
    if not reason.strip():
        raise ValidationError(_("Say why the card is revoked."))
    card.revoked_on = on
    card.revoked_reason = reason.strip()
    stamp(card, by=by, reason=reason.strip())
    card.save(update_fields=["revoked_on", "revoked_reason"])
    return card
