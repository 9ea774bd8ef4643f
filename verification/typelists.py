"""The list of Group-2 measuring instruments as versioned reference data.

A circular changes the list (23/2013, amended by 07/2019 and 03/2024); the lab records each
version: imported from a CSV file (the bundled one, or one the lab edited from the last version's
export), checked line by line (nothing is saved unless every line is right), then put in force by
the quality manager, which supersedes the version before. A verification keeps the type of the
version it was made under; verifier cards name a type by its code, which stays the same across
versions.
"""

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lims.access import require
from lims.audit import stamp
from lims.models import User
from verification.models import InstrumentType, ListStatus, Recommendation, TypeList

COLUMNS = ["code", "number", "name_vi", "name_en", "controls", "interval_months", "recommendation"]
BUNDLED = Path(__file__).resolve().parent / "data" / "group2.csv"
MAX_ROWS = 1000


def in_force() -> TypeList | None:
    return TypeList.objects.filter(status=ListStatus.IN_FORCE).first()


def types_in_force():
    return InstrumentType.objects.filter(type_list__status=ListStatus.IN_FORCE)


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")
            ) from None
    return data.lstrip("\ufeff")


def parse_rows(data: bytes | str) -> list[dict]:
    """The types of a CSV file (header: the COLUMNS), or ValidationError naming every bad line."""
    reader = csv.DictReader(io.StringIO(_text(data)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(
            _("The header must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )
    rows, errors, codes = [], [], set()
    try:
        lines = list(reader)
    except csv.Error as error:
        raise ValidationError(
            _("The file is not readable CSV: %(error)s") % {"error": error}
        ) from None
    if len(lines) > MAX_ROWS:
        raise ValidationError(_("A list has at most %(n)d types.") % {"n": MAX_ROWS})
    for line, raw in enumerate(lines, start=2):
        row = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        problems = []
        row["code"] = slugify(row["code"] or row["name_vi"])
        if not row["name_vi"]:
            problems.append(_("the Vietnamese name is empty"))
        if row["code"] in codes:
            problems.append(_("the code %(code)s appears twice") % {"code": row["code"]})
        codes.add(row["code"])
        months = row["interval_months"]
        if months:
            try:
                value = Decimal(months)
            except InvalidOperation:
                value = None
            if value is None or value != value.to_integral() or not 1 <= value <= 240:
                problems.append(
                    _("the interval “%(months)s” is not a whole number of months from 1 to 240")
                    % {"months": months}
                )
            else:
                row["interval_months"] = int(value)
        else:
            row["interval_months"] = None
        row["recommendation"] = row["recommendation"] or Recommendation.OTHER
        if row["recommendation"] not in Recommendation.values:
            problems.append(
                _("the rules “%(rules)s” are not one of %(known)s")
                % {"rules": row["recommendation"], "known": ", ".join(Recommendation.values)}
            )
        if problems:
            errors.append(
                _("Line %(line)d: %(problems)s.") % {"line": line, "problems": "; ".join(problems)}
            )
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file lists no instrument type."))
    return rows


@transaction.atomic
def typelist_import(
    *, title: str, legal_basis: str, effective_on: dt.date, data: bytes | str, by: User
) -> TypeList:
    """A new draft version of the list from a CSV file; nothing is saved unless all lines hold."""
    require(by, "typelist.edit")
    rows = parse_rows(data)
    if not title.strip() or not legal_basis.strip():
        raise ValidationError(_("Give the list a title and its legal basis."))
    type_list = TypeList(
        title=title.strip(), legal_basis=legal_basis.strip(), effective_on=effective_on
    )
    type_list.full_clean()
    stamp(type_list, by=by, reason=_("Imported"))
    type_list.save()
    for row in rows:
        kind = InstrumentType(type_list=type_list, **row)
        kind.full_clean()
        stamp(kind, by=by, reason=_("Imported"))
        kind.save()
    return type_list


@transaction.atomic
def typelist_put_in_force(*, type_list: TypeList, by: User, reason: str = "") -> TypeList:
    """Put a draft in force; the version in force before is superseded."""
    require(by, "typelist.edit")
    type_list = TypeList.objects.select_for_update().get(pk=type_list.pk)
    if type_list.status != ListStatus.DRAFT:
        raise ValidationError(_("Only a draft list can be put in force."))
    if type_list.effective_on > timezone.localdate():
        raise ValidationError(
            _("This list takes effect on %(day)s: put it in force from that day.")
            % {"day": type_list.effective_on.strftime("%d/%m/%Y")}
        )
    if not type_list.types.exists():
        raise ValidationError(_("This list has no instrument type."))
    for previous in TypeList.objects.select_for_update().filter(status=ListStatus.IN_FORCE):
        previous.status = ListStatus.SUPERSEDED
        stamp(previous, by=by, reason=_("Superseded by %(list)s") % {"list": type_list})
        previous.save(update_fields=["status"])
    type_list.status = ListStatus.IN_FORCE
    stamp(type_list, by=by, reason=reason or _("Put in force"))
    type_list.save(update_fields=["status"])
    return type_list


def typelist_csv(type_list: TypeList) -> str:
    """A version of the list as the CSV it can be imported from: the start of the next version."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for kind in type_list.types.order_by("pk"):
        row = {c: getattr(kind, c) for c in COLUMNS}
        row["interval_months"] = "" if kind.interval_months is None else kind.interval_months
        writer.writerow(row)
    return out.getvalue()
