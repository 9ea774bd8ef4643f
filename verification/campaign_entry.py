"""What the campaign entry page needs from the server, as plain data for its script.

A row of the page is one instrument: who holds it, its type and kind of verification, maker,
serial, its characteristics (the fields the type's rules ask: Max, e, class… for a scale) and one
cell per reading the procedure asks for that instrument (`procedures.blank_tests`). The cells are
named ``<test>.<row>.<column>`` (``weighing.2.indication``); the page keeps what is typed under
those names, and the server puts the values back into the blank tests to evaluate or record them,
so that the rules live in one place (`procedures.evaluate`) for the preview and for the record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.models import User
from verification import procedures
from verification.models import (
    Campaign,
    InstrumentType,
    Mark,
    MarkKind,
    MarkState,
    Verification,
    VerificationKind,
    VerificationState,
)
from verification.typelists import types_in_force

POSITIONS = {
    "centre": gettext_lazy("centre"),
    "front-left": gettext_lazy("front left"),
    "back-left": gettext_lazy("back left"),
    "back-right": gettext_lazy("back right"),
    "front-right": gettext_lazy("front right"),
}
TEXT_LIMITS = {"owner": 200, "stall": 80, "manufacturer": 120, "model": 120, "serial": 80}
MAX_CELLS = 200


def entry_types():
    """The types of the list in force that the LIMS has rules for, in the list's order."""
    return types_in_force().filter(recommendation__in=list(procedures.TESTS)).order_by("pk")


# What the grid shows above each characteristic (the full name is its tooltip and its label
# for a screen reader).
SHORT = {
    "max": "Max",
    "e": "e",
    "d": "d",
    "class": gettext_lazy("class"),
    "unit": gettext_lazy("unit"),
    "mmq": "MMQ",
    "q_max": "Qmax",
    "q_min": "Qmin",
    "interval": gettext_lazy("interval"),
    "q3": "Q3",
    "ratio": "R",
    "i_min": "Imin",
    "i_tr": "Itr",
    "i_ref": "Ib/In",
    "i_max": "Imax",
    "connection": gettext_lazy("connection"),
}


def _field(f: procedures.Field) -> dict:
    return {
        "key": f.key,
        "label": str(f.label),
        "short": str(SHORT.get(f.key, f.label)),
        "choices": list(f.choices),
        "required": f.required,
        "default": f.default,
        "number": f.number,
    }


def layout_key(recommendation: str, specification: dict) -> str:
    """The key under which the page caches a layout: the rules and the characteristics typed."""
    fields, _tests = procedures.rules_for(recommendation)
    values = [str(specification.get(f.key, "") or "").strip() for f in fields]
    return "|".join([recommendation, *values])


def _given_text(column: procedures.Column, value: str, spec: dict) -> str:
    if column.key == "position":
        return str(POSITIONS.get(value, value))
    if column.key == "load" and spec.get("unit"):
        return f"{value} {spec['unit']}"
    return value


def layout(recommendation: str, specification: dict) -> list[dict]:
    """One cell per reading to type, in the order of the procedure, with what is given for it
    (the load, the position…) as its label. ValidationError for characteristics that do not fit."""
    blank = procedures.blank_tests(recommendation, specification)
    _fields, tests = procedures.rules_for(recommendation)
    cells = []
    for test in tests:
        typed = [c for c in test.columns if not c.given]
        for index, row in enumerate(blank.get(test.key, [])):
            given = " · ".join(
                _given_text(c, row[c.key], specification) for c in test.columns if c.given
            )
            for column in typed:
                label = given
                if len(typed) > 1 or not given:
                    label = f"{given} · {column.label}" if given else str(column.label)
                cells.append(
                    {
                        "name": f"{test.key}.{index}.{column.key}",
                        "test": test.key,
                        "title": str(test.title),
                        "label": label,
                        "required": column.required,
                    }
                )
    return cells


def tests_from(recommendation: str, specification: dict, cells: dict) -> dict:
    """The blank tests of the instrument with the typed cells put in. A value the procedure
    gives (a load, a position, a flow rate drawn) is never taken from the page."""
    blank = procedures.blank_tests(recommendation, specification)
    _fields, tests = procedures.rules_for(recommendation)
    for test in tests:
        for index, row in enumerate(blank.get(test.key, [])):
            for column in test.columns:
                name = f"{test.key}.{index}.{column.key}"
                if name in cells and not (column.given and row[column.key]):
                    row[column.key] = str(cells[name]).strip()
    return blank


def cells_from(recommendation: str, tests: dict) -> dict[str, str]:
    """The page's cells of recorded tests (what was typed, not what was given)."""
    out = {}
    for test in procedures.TESTS.get(recommendation, ()):
        typed = [c.key for c in test.columns if not c.given]
        for index, row in enumerate((tests or {}).get(test.key, [])):
            for column in typed:
                out[f"{test.key}.{index}.{column}"] = row.get(column, "")
    return out


MAX_VALUE = 40  # characters of one value typed in a cell


def _texts(data: Any) -> dict[str, str]:
    """The values typed, as text, or ValidationError: a value is never cut short."""
    if data is None:
        return {}
    if not isinstance(data, dict) or len(data) > MAX_CELLS:
        raise ValidationError(_("The values are not in the expected form."))
    values = {str(k)[:60]: str(v if v is not None else "") for k, v in data.items()}
    long = [value for value in values.values() if len(value) > MAX_VALUE]
    if long:
        raise ValidationError(
            _("“%(value)s…” is longer than %(n)d characters: it is not a reading.")
            % {"value": long[0][:12], "n": MAX_VALUE}
        )
    return values


def _type_of(raw: Any) -> InstrumentType | None:
    text = str(raw or "")
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        return None
    return entry_types().select_related("type_list").filter(pk=int(text)).first()


def _verdict(results: dict) -> dict:
    failed = [procedures.title_of(results["rules"], key) for key in results.get("failed", [])]
    marks: dict[str, dict] = {}
    for test in results.get("tests", []):
        for index, row in enumerate(test.get("rows", [])):
            for column in ("indication", "after", "standard", "error"):
                if column in row and "passed" in row:
                    name = f"{test['key']}.{index}.{column}"
                    marks[name] = {
                        "passed": row["passed"],
                        "error": row.get("error", row.get("change", "")),
                        "mpe": row.get("mpe", ""),
                    }
    return {"passed": results["passed"], "failed": failed, "cells": marks}


def preview(campaign: Campaign, body: dict) -> dict:
    """The layout of a row's readings and, once every reading is typed, its verdict; the
    messages say what does not fit. Nothing is saved."""
    kind = _type_of(body.get("type"))
    if kind is None:
        return {"errors": {"type": [_("Choose a type from the list in force.")]}}
    recommendation = kind.recommendation
    try:
        spec = _texts(body.get("spec"))
        cells_layout = layout(recommendation, spec)
    except ValidationError as error:
        return {"errors": {"spec": error.messages}}
    answer: dict[str, Any] = {"key": layout_key(recommendation, spec), "layout": cells_layout}
    try:
        cells = _texts(body.get("cells"))
    except ValidationError as error:
        answer["errors"] = {"readings": error.messages}
        return answer
    missing = [
        c["name"] for c in cells_layout if c["required"] and not cells.get(c["name"], "").strip()
    ]
    if missing:
        answer["missing"] = len(missing)
        return answer
    try:
        results = procedures.evaluate(
            recommendation,
            spec,
            str(body.get("kind") or VerificationKind.PERIODIC),
            tests_from(recommendation, spec, cells),
        )
    except ValidationError as error:
        answer["errors"] = {"readings": error.messages}
        return answer
    answer["verdict"] = _verdict(results)
    return answer


# --- Recording a row -------------------------------------------------------------------------


def errors_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            key: [str(m) for m in ValidationError(value).messages]
            for key, value in error.error_dict.items()
        }
    return {"__all__": list(error.messages)}


def _check_mark(serial: str, passed: bool | None) -> str:
    """The mark serial as the stock writes it, if it can go on this instrument."""
    serial = serial.strip().upper()
    if not serial:
        return ""
    if passed is False:
        raise ValidationError(_("A failed instrument gets no mark: leave the mark empty."))
    mark = Mark.objects.select_related("batch").filter(serial=serial).first()
    if mark is None:
        raise ValidationError(_("Mark %(serial)s is not in the lab's stock.") % {"serial": serial})
    if mark.batch.kind != MarkKind.STAMP:
        raise ValidationError(
            _("%(serial)s is a seal, not a verification mark.") % {"serial": serial}
        )
    if mark.state != MarkState.AVAILABLE:
        raise ValidationError(
            _("Mark %(serial)s is not in stock: %(state)s.")
            % {"serial": serial, "state": mark.get_state_display().lower()}
        )
    other = Verification.objects.filter(mark_serial=serial, state=VerificationState.DRAFT).first()
    if other is not None:
        raise ValidationError(
            _("Mark %(serial)s is already noted on another instrument (%(other)s, %(owner)s).")
            % {"serial": serial, "other": other.serial_number, "owner": other.owner}
        )
    return serial


def recorded(campaign: Campaign, body: dict) -> Verification | None:
    """The verification already recorded under the row's key, or None; ValidationError when
    the key was used in another campaign."""
    try:
        key = uuid.UUID(str(body.get("key", "")))
    except ValueError:
        return None
    known = Verification.objects.select_related("instrument_type").filter(client_key=key).first()
    if known is not None and known.campaign_id != campaign.pk:
        raise ValidationError(_("This row was recorded in another campaign."))
    return known


def parse_row(campaign: Campaign, body: dict) -> dict:
    """The fields of `campaign_row_record` from a row the page sent, or ValidationError with the
    messages by field (owner, serial, type, spec, readings, mark, …)."""
    errors: dict[str, list[str]] = {}
    try:
        key = uuid.UUID(str(body.get("key", "")))
    except ValueError:
        key = None
        errors["key"] = [_("The row has no key: reload the page.")]
    text = {name: str(body.get(name) or "").strip() for name in TEXT_LIMITS}
    for name, limit in TEXT_LIMITS.items():
        if len(text[name]) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if not text["owner"] and not text["stall"]:
        errors["owner"] = [_("Give the owner or the stall.")]
    if not text["serial"]:
        errors["serial"] = [_("Give the serial number.")]
    kind = _type_of(body.get("type"))
    if kind is None:
        errors["type"] = [_("Choose a type from the list in force.")]
    verification_kind = str(body.get("kind") or VerificationKind.PERIODIC)
    if verification_kind not in VerificationKind.values:
        errors["kind"] = [_("Choose the kind of verification.")]
    verified_on = timezone.localdate()
    if body.get("verified_on"):
        try:
            verified_on = dt.date.fromisoformat(str(body["verified_on"]))
        except ValueError:
            errors["verified_on"] = [_("The day of verification is not a date.")]
    tests: dict = {}
    passed = None
    spec: dict = {}
    if kind is not None:
        try:
            spec = _texts(body.get("spec"))
            procedures.check_specification(kind.recommendation, spec)
        except ValidationError as error:
            errors["spec"] = error.messages
        else:
            try:
                tests = tests_from(kind.recommendation, spec, _texts(body.get("cells")))
                passed = procedures.evaluate(kind.recommendation, spec, verification_kind, tests)[
                    "passed"
                ]
            except ValidationError as error:
                errors["readings"] = error.messages
    try:
        mark = _check_mark(str(body.get("mark") or ""), passed)
    except ValidationError as error:
        errors["mark"] = error.messages
        mark = ""
    if errors:
        raise ValidationError(errors)
    return {
        "client_key": key,
        "instrument_type": kind,
        "owner": text["owner"] or text["stall"],
        "stall": text["stall"],
        "manufacturer": text["manufacturer"],
        "model": text["model"],
        "serial_number": text["serial"],
        "verified_on": verified_on,
        "specification": spec,
        "tests": tests,
        "kind": verification_kind,
        "mark_serial": mark,
    }


def row_answer(verification: Verification) -> dict:
    return {
        "key": str(verification.client_key),
        "id": verification.pk,
        "passed": verification.passed,
        "state": verification.state,
        "number": verification.number or "",
        "mark": verification.mark_serial,
        "failed": [
            procedures.title_of(verification.instrument_type.recommendation, key)
            for key in (verification.results or {}).get("failed", [])
        ],
    }


def row_of(verification: Verification) -> dict:
    """A recorded row as the page shows it (a reloaded page that lost its copy)."""
    return {
        **row_answer(verification),
        "type": str(verification.instrument_type_id),
        "kind": verification.kind,
        "owner": verification.owner,
        "stall": verification.stall,
        "manufacturer": verification.manufacturer,
        "model": verification.model,
        "serial": verification.serial_number,
        "verified_on": verification.verified_on.isoformat(),
        "spec": {
            key: value
            for key, value in verification.specification.items()
            if key not in ("min", "n")
        },
        "cells": cells_from(verification.instrument_type.recommendation, verification.tests),
    }


def rows_of(campaign: Campaign, user: User) -> list[dict]:
    rows = (
        campaign.verifications.filter(verifier=user)
        .select_related("instrument_type")
        .defer("pdf")
        .order_by("pk")
    )
    return [row_of(v) for v in rows]


def page_context(campaign: Campaign, user: User) -> dict:
    types = list(entry_types())
    rows = rows_of(campaign, user)
    layouts = {}
    recommendations = {str(t.pk): t.recommendation for t in types}
    for row in rows:
        recommendation = recommendations.get(row["type"])
        if recommendation is None:
            continue
        key = layout_key(recommendation, row["spec"])
        if key not in layouts:
            try:
                layouts[key] = layout(recommendation, row["spec"])
            except ValidationError:
                continue
    today = timezone.localdate()
    return {
        "types": types,
        "setup": {
            "types": [{"id": str(t.pk), "name": str(t), "rules": t.recommendation} for t in types],
            "fields": {
                rules: [_field(f) for f in fields]
                for rules, fields in procedures.SPECIFICATIONS.items()
            },
            "kinds": [
                {"id": value, "name": str(label)} for value, label in VerificationKind.choices
            ],
            "rows": rows,
            "layouts": layouts,
        },
        "today_outside": not campaign.starts_on <= today <= campaign.ends_on,
    }
