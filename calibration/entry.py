"""The reading grid's layout: its sections, rows and cells, read from a post or a draft.

One section per range or channel × phase (as found, as left), each with its rows. Fields are
named by the row's place in the whole grid (`p{row}-ref`, `p{row}-r{column}`), so that the
numbers the service puts in its messages ("Row 12: …") are the numbers the technician sees;
hidden counts say which rows belong to which section (`sections`, `s{k}-range`, `s{k}-phase`,
`s{k}-rows`), plus `rows` and `columns` for the whole grid. A post without `sections` is the
one-section grid of before: the first range, as left. The same fields are what a draft keeps.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from calibration import services
from calibration.models import EntryDraft, MeasurementPoint, Phase
from calibration.results import plain
from lims.forms import is_small_number
from lims.templatetags.lab import figure

READING_COLUMNS = 5
BLANK_ROWS = 2
MAX_ROWS, MAX_COLUMNS, MAX_SECTIONS = 500, 100, 50

GRID_FIELD = re.compile(
    r"^(rows|columns|sections|rev|base|s\d{1,3}-(range|phase|rows)|p\d{1,4}-(ref|r\d{1,3}))$"
)
NOT_WHOLE = gettext_lazy("The grid was not sent whole; nothing was saved.")


class Sent(NamedTuple):
    """A grid as posted (or as a draft keeps it): sections of (reference, readings) rows."""

    sections: list[tuple[int, str, list[tuple[str, list[str]]]]]
    columns: int
    problems: list[str]


def read_grid(data, *, default_range_id: int) -> Sent:
    """Rebuild the sections and rows from the grid's fields; a mangled layout is a problem."""
    rows_text = str(data.get("rows", ""))
    if not is_small_number(rows_text):
        return Sent([], 0, [str(NOT_WHOLE)])
    total = int(rows_text)
    if total > MAX_ROWS:
        return Sent(
            [],
            0,
            [
                _("The grid has %(rows)d rows; at most %(max)d can be saved at once.")
                % {"rows": total, "max": MAX_ROWS}
            ],
        )
    columns_text = str(data.get("columns", ""))
    columns = int(columns_text) if is_small_number(columns_text) else 0
    if not 1 <= columns <= MAX_COLUMNS:
        return Sent([], 0, [str(NOT_WHOLE)])
    if "sections" in data:
        count_text = str(data.get("sections", ""))
        if not is_small_number(count_text) or int(count_text) > MAX_SECTIONS:
            return Sent([], 0, [str(NOT_WHOLE)])
        layout = []
        for k in range(int(count_text)):
            range_text = str(data.get(f"s{k}-range", ""))
            phase = str(data.get(f"s{k}-phase", ""))
            size = str(data.get(f"s{k}-rows", ""))
            if not (is_small_number(range_text) and is_small_number(size)):
                return Sent([], 0, [str(NOT_WHOLE)])
            if phase not in Phase.values:
                return Sent([], 0, [_("Unknown phase.")])
            layout.append((int(range_text), phase, int(size)))
        if sum(size for _r, _p, size in layout) != total:
            return Sent([], 0, [str(NOT_WHOLE)])
    else:
        layout = [(default_range_id, Phase.AS_LEFT, total)]
    sections, index = [], 0
    for range_id, phase, size in layout:
        rows = []
        for _i in range(size):
            reference = str(data.get(f"p{index}-ref", ""))
            readings = [str(data.get(f"p{index}-r{j}", "")) for j in range(columns)]
            rows.append((reference, readings))
            index += 1
        sections.append((range_id, phase, rows))
    return Sent(sections, columns, [])


VERDICTS = {
    "pass": (gettext_lazy("Pass"), "ok"),
    "conditional_pass": (gettext_lazy("Conditional pass"), "warn"),
    "conditional_fail": (gettext_lazy("Conditional fail"), "warn"),
    "fail": (gettext_lazy("Fail"), "bad"),
}


def shown(result: dict | None) -> dict | None:
    """The stored or previewed result, laid out for the computed cells (no computing here)."""
    if not result:
        return None
    reported = Decimal(result["reported_error"])
    s = result.get("s")
    label, tone = VERDICTS.get(result.get("decision"), ("—", "muted"))
    vietnamese = (get_language() or "vi").startswith("vi")
    return {
        "mean": result.get("mean"),
        "s": Decimal(f"{float(s):.2g}") if s is not None else None,
        "error": reported,
        "correction": Decimal(0) - reported,
        "U": result.get("reported_U"),
        "k": result.get("reported_k"),
        "unit": result.get("unit", ""),
        "decision": result.get("decision"),
        "verdict": label,
        "tone": tone,
        "statement": result.get("statement_vi" if vietnamese else "statement_en", ""),
        "tolerance": result.get("tolerance"),
        "in_scope": result.get("in_scope", True),
        "cmc_applied": result.get("cmc_applied", False),
        "mc": result.get("mc"),
    }


@dataclass
class GridRow:
    index: int
    nominal: str = ""
    reference: str = ""
    readings: list[str] = field(default_factory=list)
    result: dict | None = None
    messages: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    hint: str = ""
    stale: bool = False  # typed but not computed yet: the page asks the server for its results

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def shown(self) -> dict | None:
        return shown(self.result)

    @property
    def cells(self) -> list[tuple[int, str, str]]:
        return [(j, text, self.messages.get(f"r{j}", "")) for j, text in enumerate(self.readings)]

    @property
    def named_messages(self) -> list[tuple[str, str]]:
        return sorted(self.messages.items())


@dataclass
class Section:
    index: int
    range: object
    phase: str
    rows: list[GridRow]
    references: list

    @property
    def key(self) -> str:
        return f"{self.range.pk}-{self.phase}"


def cell_messages(reference: str, readings, references: dict) -> dict[str, str]:
    """Each cell's own refusal, in the page's language (the same `parse_reading` as saving)."""
    found = {}
    for j, text in enumerate(readings):
        if str(text).strip():
            try:
                services.parse_reading(text)
            except ValidationError as error:
                found[f"r{j}"] = error.messages[0]
    if any(str(text).strip() for text in readings) and reference not in references:
        found["ref"] = _("Choose the reference value.")
    return found


def matching_reference(nominal: str, references) -> str:
    """The reference value whose nominal is an agreed point's, if the standards used have one."""
    try:
        wanted = services.parse_reading(nominal)
    except ValidationError:
        return ""
    for reference in references:
        if reference.nominal == wanted:
            return str(reference.pk)
    return ""


def base_rows(spec, points, references) -> list[GridRow]:
    """What a section shows with nothing typed: its saved points, else the agreed nominals."""
    if points:
        return [
            GridRow(
                index=0,
                nominal=f"{plain(p.reference.nominal)} {p.reference.unit}",
                reference=str(p.reference_id),
                readings=[figure(r) for r in p.readings],
                result=p.result,
            )
            for p in points
        ]
    return [
        GridRow(
            index=0,
            nominal=f"{nominal} {spec.unit}",
            reference=matching_reference(nominal, references),
        )
        for nominal in (spec.points if isinstance(spec.points, list) else [])
    ]


def grid_layout(calibration, *, points, ranges, references, data=None) -> dict:
    """The sections of the grid: saved points, or what was typed (`data`: a post or a draft)."""
    sent = None
    if data is not None:
        sent = read_grid(data, default_range_id=ranges[0].pk if ranges else 0)
        if sent.problems:
            sent = None
    typed: dict[tuple[int, str], list] = {}
    for range_id, phase, rows in sent.sections if sent else []:
        typed.setdefault((range_id, phase), []).extend(rows)
    saved: dict[tuple[int, str], list] = {}
    for point in points:
        saved.setdefault((point.range_id, point.phase), []).append(point)
    columns = max(
        [calibration.procedure.readings_per_point or READING_COLUMNS, sent.columns if sent else 0]
        + [len(p.readings) for p in points]
    )
    columns = min(columns, MAX_COLUMNS)
    sections, index = [], 0
    for spec in ranges:
        usable = [r for r in references if r.unit == spec.unit]
        usable_pks = {str(r.pk): r for r in usable}
        for phase in calibration.phases:
            key = (spec.pk, phase)
            base = base_rows(spec, saved.get(key, []), usable)
            if key in typed:
                rows = [
                    GridRow(
                        index=0,
                        nominal=base[t].nominal if t < len(base) else "",
                        reference=reference,
                        readings=list(readings),
                        messages=cell_messages(reference, readings, usable_pks),
                        stale=any(str(r).strip() for r in readings),
                    )
                    for t, (reference, readings) in enumerate(typed[key])
                ]
            else:
                rows = base + [GridRow(index=0) for _i in range(BLANK_ROWS)]
            for row in rows:
                row.index = index
                index += 1
                row.readings = (row.readings + [""] * columns)[:columns]
            sections.append(
                Section(index=len(sections), range=spec, phase=phase, rows=rows, references=usable)
            )
    return {
        "sections": sections,
        "columns": list(range(columns)),
        "column_count": columns,
        "row_count": index,
    }


def last_save(calibration):
    """When the points were last written (saved or removed): the grid's own clock."""
    return MeasurementPoint.history.filter(calibration_id=calibration.pk).aggregate(
        at=Max("history_date")
    )["at"]


def base_of(calibration, saved_at=None) -> str:
    """What the page's grid was drawn from: the time of the last write to the points
    (`saved_at`, when the caller has read it already).

    A draft or a save made against another base was typed over readings that have changed
    since (another tab, an import, an API post): it is refused rather than written over them.
    """
    at = saved_at if saved_at is not None else last_save(calibration)
    return at.isoformat() if at else "none"


def unsaved_draft(calibration, saved_at=None):
    """The cells typed over the saved readings and not saved yet, if any.

    A draft typed over readings that have changed since (another base) or older than the last
    save is not one: it is left to be replaced.
    """
    draft = EntryDraft.objects.filter(calibration=calibration).first()
    if draft is None:
        return None
    saved_at = saved_at if saved_at is not None else last_save(calibration)
    base = base_of(calibration, saved_at)
    current = draft.cells.get("base", base) == base
    return draft if current and (saved_at is None or draft.saved_at > saved_at) else None


UNSAVED = gettext_lazy(
    "The grid has readings typed and not saved: save them, or discard them, first."
)

STALE = gettext_lazy(
    "The readings were saved from another page since this one was opened; nothing was written "
    "over them. Reload the page to see them."
)


def draft_stamp(draft) -> str:
    return str(draft.cells.get("rev") or f"draft:{draft.saved_at.isoformat()}")
