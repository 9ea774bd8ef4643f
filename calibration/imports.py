"""Readings imported from a CSV or Excel file, or posted to the API: all checked, then all or none.

The file
    A header row (the first row that is not blank), then one row per point. The columns come in
    any order and are named in English or Vietnamese, with or without diacritics, in any case:

    =============  ==========================  ================================================
    range          dải đo, kênh, phạm vi đo    the range or channel; may be left out when the
                                               instrument has one range for this procedure
    phase          giai đoạn                   as found / as left (as_found, trước hiệu chỉnh,
                                               sau hiệu chỉnh); empty means as left
    nominal        danh định                   the nominal of the reference value, matched among
                                               the values of the calibration's standards, in
                                               the range's unit
    reference      chuẩn, giá trị chuẩn        or the reference value's label ("100 g"), or the
                                               standard's asset number and label ("E2-01 · 100 g")
    reading 1 …    r1 …, số đọc 1 …            the readings, at most 100 columns
    =============  ==========================  ================================================

    A row without any reading is skipped, as in the reading grid. Line numbers in the report are
    the file's own (the row number in Excel), so the technician finds the line.

What an import replaces
    Every point of each range and phase the file has a row for is replaced by the file's rows, in
    their order; the points of the ranges and phases the file does not mention are kept. They are
    passed again to `calibration_set_points` with their saved reference and readings (which
    otherwise removes every point missing from the grid); this recomputes them and stamps their
    history with the import's reason. Removing a range's points is done in the grid, not here.

All or nothing
    Every line is checked before anything is saved, and the report lists every wrong line, not
    only the first. One wrong line and nothing is saved. The save itself is one call of
    `calibration_set_points` (one transaction); its own refusals are reported by line too.

Decisions
    * The kind of file is told by its bytes, never its name: a zip is an .xlsx workbook, an OLE
      file an old .xls (refused: save as .xlsx or CSV), text is CSV, anything else is refused.
    * CSV is UTF-8, with or without a BOM. Anything else is refused with a message asking to
      save as "CSV UTF-8": guessing between Windows-1258 and 1252 would mangle Vietnamese
      without a word.
    * The CSV delimiter is the one of ',', ';' and tab that splits the header row into the most
      columns (csv.Sniffer guesses from the whole sample and is unreliable on short files).
    * The decimal mark: in a ';' or tab file a comma is the decimal mark (what a Vietnamese Excel
      writes), read by `parse_reading`. In a ',' file a comma inside a number is refused: "1,000"
      might be a thousand or one, and a reading must not be guessed.
    * Excel: the sheet named "readings" or "số đọc", else the first. Numbers are taken as the
      text Excel shows, as far as a stored double tells it: the shortest decimal that gives the
      same double, at most 15 significant digits (Excel's own precision), so a cell typed
      100.0002 gives "100.0002" and never 100.00019999999; then zeros are added to the number of
      decimals the cell's format shows (100.1 in a "0.0000" cell gives "100.1000"). Digits are
      never rounded away to fit a format that shows fewer.
    * Excel formulas are refused. The workbook is read once with data_only=False, where a formula
      cell has data_type "f". Its cached value is not used: files written by programs have none,
      one saved before recalculation is stale, and a reading is a value read off the instrument,
      not computed. The message asks to paste the cells as values.
    * Limits: 5 MB per file (and 50 MB once an .xlsx is unpacked), 2000 rows with readings,
      100 readings per row, 200 characters per cell.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from calibration.models import Calibration, Phase
from calibration.services import (
    Row,
    WorkflowError,
    allowed_references,
    calibration_set_points,
    parse_reading,
    parse_readings,
    ranges_of,
)
from lims.access import require
from lims.models import User

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ROWS = 2000
MAX_READINGS = 100
MAX_COLUMNS = MAX_READINGS + 10
MAX_CELL = 200
EXCEL_DIGITS = 15

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line as read, before it is checked: texts, and where it is (file line or API point)."""

    line: int
    range: str = ""
    phase: str = ""
    nominal: str = ""
    reference: str = ""
    reference_id: int | None = None
    readings: Sequence[str] = ()
    comma_ambiguous: bool = False


@dataclass(frozen=True)
class ImportResult:
    """The rows ready for `calibration_set_points`, the line of each, and what was rejected.

    `rejected` holds (line, message); line None when the message is about the whole file.
    """

    rows: list[Row] = field(default_factory=list)
    rejected: list[tuple[int | None, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.rejected


class ImportRejected(ValidationError):
    """The save was refused; `rejected` says by line (None: the whole import) what and why."""

    def __init__(self, rejected: list[tuple[int | None, str]]):
        super().__init__([message for _line, message in rejected])
        self.rejected = rejected


class Unreadable(Exception):
    """The file as a whole cannot be read: wrong kind, encoding, size."""


# --- Names of columns and phases ------------------------------------------------------------------


def _key(text) -> str:
    """A header or phase as compared: no diacritics, 'đ' as 'd', case and punctuation folded.

    >>> _key("  Số đọc_1 ")
    'so doc 1'
    >>> _key("Trước hiệu chỉnh")
    'truoc hieu chinh'
    """
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").casefold()
    text = re.sub(r"[\s_\-–—./:()]+", " ", text)
    return text.strip()


def _name_key(text) -> str:
    """A range's name or a reference's label as compared: spaces and dash kinds do not count."""
    text = unicodedata.normalize("NFC", str(text)).casefold()
    return re.sub(r"\s+", "", re.sub(r"[–—−]", "-", text))


COLUMNS = {
    "range": {"range", "channel", "range channel", "range or channel", "dai do", "kenh"}
    | {"dai do kenh", "pham vi do", "pham vi"},
    "phase": {"phase", "giai doan"},
    "nominal": {"nominal", "nominal value", "danh dinh", "gia tri danh dinh"},
    "reference": {"reference", "reference value", "chuan", "gia tri chuan"},
}
READING_COLUMN = re.compile(r"^(?:reading|r|so doc|lan doc)\s?(\d{1,6})$")
PHASES = {
    "as found": Phase.AS_FOUND,
    "asfound": Phase.AS_FOUND,
    "truoc hieu chinh": Phase.AS_FOUND,
    "as left": Phase.AS_LEFT,
    "asleft": Phase.AS_LEFT,
    "sau hieu chinh": Phase.AS_LEFT,
}
HEADERS = {
    "vi": {"range": "dải đo", "phase": "giai đoạn", "nominal": "danh định"}
    | {"reference": "chuẩn", "reading": "số đọc %d"},
    "en": {"range": "range", "phase": "phase", "nominal": "nominal"}
    | {"reference": "reference", "reading": "reading %d"},
}
PHASE_NAMES = {
    "vi": {Phase.AS_FOUND: "trước hiệu chỉnh", Phase.AS_LEFT: "sau hiệu chỉnh"},
    "en": {Phase.AS_FOUND: "as found", Phase.AS_LEFT: "as left"},
}


def _language() -> str:
    return "vi" if (get_language() or "vi").startswith("vi") else "en"


# --- Reading the file ----------------------------------------------------------------------------


@dataclass
class Table:
    """The file's cells as text, row by row with the row's line number, and cell-level problems."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    comma_ambiguous: bool = False
    truncated: bool = False
    filled: int = 0

    def add(self, line: int, cells: list[str]) -> bool:
        """Keep a row; False once there are more rows than an import takes (blank ones are free)."""
        self.rows.append((line, cells))
        self.filled += bool(any(cells))
        self.truncated = self.filled > MAX_ROWS + 1
        return not self.truncated


def parse_import(calibration: Calibration, filename: str, content: bytes) -> ImportResult:
    """Read and check a file of readings for `calibration`; nothing is saved here.

    `filename` is only used in messages: the kind of file is told from `content`.
    """
    try:
        table = read_table(filename, content)
    except Unreadable as error:
        return ImportResult(rejected=[(None, str(error))])
    entries, rejected = entries_of(table)
    if not entries and not rejected:
        rejected = [(None, _("The file has no readings: fill in the reading columns."))]
    checked = check_entries(calibration, entries)
    rejected = sorted(rejected + checked.rejected, key=lambda pair: pair[0] or 0)
    return ImportResult(rows=checked.rows, rejected=rejected, lines=checked.lines)


def read_table(filename: str, content: bytes) -> Table:
    """The cells of a CSV or .xlsx file, told apart by their bytes; Unreadable if neither."""
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        raise Unreadable(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise Unreadable(
            _("The file is larger than %(mb)d MB: split it, or leave out what is not readings.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            _(
                "“%(name)s” is an old Excel 97–2003 workbook (.xls): save it as an Excel "
                "workbook (.xlsx) or as CSV UTF-8, and import that."
            )
            % {"name": filename}
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise Unreadable(
            _(
                "“%(name)s” is named as an Excel workbook but is not one (an .xlsx file is a zip "
                "archive): open it in Excel and save it again as .xlsx or CSV UTF-8."
            )
            % {"name": filename}
        )
    return _read_csv(content)


def _not_utf8() -> Unreadable:
    return Unreadable(
        _(
            "The file is not UTF-8 text: in Excel choose Save as → “CSV UTF-8 (Comma delimited)” "
            "(in LibreOffice: character set Unicode (UTF-8)) and import that file. Other "
            "encodings (Windows-1258, 1252, UTF-16) would garble the Vietnamese letters."
        )
    )


def _read_csv(content: bytes) -> Table:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_utf8()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in content[:4096]:
            raise Unreadable(
                _("This file is neither a CSV text file nor an Excel workbook (.xlsx).")
            ) from None
        raise _not_utf8() from None
    if "\x00" in text:
        raise Unreadable(_("This file is neither a CSV text file nor an Excel workbook (.xlsx)."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    previous = 0
    try:
        delimiter = max([",", ";", "\t"], key=lambda d: len(next(csv.reader([first], delimiter=d))))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        table = Table(comma_ambiguous=delimiter == ",")
        for cells in reader:
            if not table.add(previous + 1, [c.strip() for c in cells]):
                break
            previous = reader.line_num
    except csv.Error as error:
        raise Unreadable(
            _("Line %(n)d cannot be read as CSV: %(error)s") % {"n": previous + 1, "error": error}
        ) from None
    return table


def _read_xlsx(content: bytes) -> Table:
    import openpyxl  # only needed here; keeps the import of this module light

    not_a_workbook = Unreadable(
        _(
            "This file is a zip archive but not a readable Excel workbook (.xlsx): open it in "
            "Excel and save it again as .xlsx or CSV UTF-8."
        )
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise not_a_workbook from None
    if unpacked > MAX_UNPACKED:
        raise Unreadable(
            _("The workbook holds more than %(mb)d MB once unpacked: keep only the readings.")
            % {"mb": MAX_UNPACKED // (1024 * 1024)}
        )
    table = Table()
    try:
        # openpyxl raises many kinds of errors on a damaged file (KeyError, ValueError, XML
        # errors, InvalidFileException): any of them means the same thing to the technician.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            sheets = workbook.worksheets
            if not sheets:
                raise not_a_workbook
            named = [s for s in sheets if _key(s.title) in {"readings", "so doc"}]
            sheet = (named or sheets)[0]
            sheet.reset_dimensions()  # the stored dimension may be wrong: read every row
            for line, cells in enumerate(sheet.iter_rows(min_row=1), start=1):
                if not table.add(line, _xlsx_cells(cells, line, table)):
                    break
        finally:
            workbook.close()
    except Unreadable:
        raise
    except Exception:
        raise not_a_workbook from None
    return table


def _xlsx_cells(cells, line: int, table: Table) -> list[str]:
    texts = []
    for column, cell in enumerate(cells, start=1):
        if column > MAX_COLUMNS + 1:
            if any(c.value not in (None, "") for c in cells[column - 1 :]):
                texts.append("…")  # entries_of refuses the row as too wide
            break
        try:
            texts.append(cell_text(cell))
        except ValueError as problem:
            from openpyxl.utils import get_column_letter

            table.problems.append(
                (
                    line,
                    _("Cell %(cell)s: %(problem)s")
                    % {"cell": f"{get_column_letter(column)}{line}", "problem": problem},
                )
            )
            texts.append("")
    return texts


def cell_text(cell) -> str:
    """An Excel cell's value as the text Excel shows for it, digits kept; ValueError if refused.

    >>> from types import SimpleNamespace as Cell
    >>> cell_text(Cell(value=100.0002, data_type="n", number_format="General"))
    '100.0002'
    >>> cell_text(Cell(value=100.1, data_type="n", number_format="0.0000"))
    '100.1000'
    >>> cell_text(Cell(value=0.1 + 0.2, data_type="n", number_format="General"))
    '0.3'
    """
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        raise ValueError(
            _(
                "a formula (%(formula)s): readings must be values; copy the cells and paste "
                "them as values."
            )
            % {"formula": str(value)[:60]}
        )
    if cell.data_type == "e":
        raise ValueError(_("an error value (%(value)s), not a number.") % {"value": value})
    if isinstance(value, bool):
        raise ValueError(_("TRUE or FALSE, not a number."))
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        raise ValueError(
            _("a date or time, not a number: format the cells as Number or Text and retype them.")
        )
    if isinstance(value, int):
        return _pad(str(value), cell.number_format)
    if isinstance(value, float):
        return _pad(_shortest(value), cell.number_format)
    text = str(value).strip()
    if len(text) > MAX_CELL:
        raise ValueError(_("more than %(n)d characters.") % {"n": MAX_CELL})
    return text


def _shortest(value: float) -> str:
    """The shortest decimal that is the same double, cut to Excel's 15 significant digits."""
    number = Decimal(repr(value))
    if len(number.as_tuple().digits) > EXCEL_DIGITS:
        number = Context(prec=EXCEL_DIGITS).plus(number)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _pad(text: str, number_format: str | None) -> str:
    """Add the trailing zeros a fixed-decimals format shows; never take digits away."""
    shown = _decimals_shown(number_format or "General")
    if not shown or not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text
    whole, _dot, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(shown, '0')}" if len(decimals) < shown else text


def _decimals_shown(number_format: str) -> int:
    """The decimals a number format always shows ("0.0000" → 4, "#,##0.0#" → 1, General → 0)."""
    section = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format.split(";")[0])
    if re.search(r"[%Ee@]", section):
        return 0
    match = re.search(r"\.([0#?]+)", section)
    return match.group(1).count("0") + match.group(1).count("?") if match else 0


# --- From cells to entries -----------------------------------------------------------------------


def _header(cells: list[str], line: int):
    """Which column holds what; problems name the header line."""
    columns: dict[str, int] = {}
    readings: dict[int, int] = {}
    problems = []
    if len(cells) > MAX_COLUMNS:
        problem = _("The header has more than %(n)d columns: at most %(max)d readings per point.")
        return columns, readings, [(line, problem % {"n": MAX_COLUMNS, "max": MAX_READINGS})]
    for index, text in enumerate(cells):
        key = _key(text)
        if not key:
            continue
        kind = next((k for k, names in COLUMNS.items() if key in names), None)
        number = READING_COLUMN.match(key)
        if kind is not None:
            if kind in columns:
                problems.append(_("The column “%(name)s” appears twice.") % {"name": text})
            columns[kind] = index
        elif number:
            n = int(number.group(1))
            if not 1 <= n <= MAX_READINGS:
                problems.append(
                    _("The column “%(name)s”: readings are numbered 1 to %(max)d.")
                    % {"name": text, "max": MAX_READINGS}
                )
            elif n in readings:
                problems.append(_("The column “%(name)s” appears twice.") % {"name": text})
            readings[n] = index
        else:
            problems.append(
                _(
                    "The column “%(name)s” is not known. The columns are: range, phase, nominal "
                    "(or reference), reading 1, reading 2, … (dải đo, giai đoạn, danh định, số "
                    "đọc 1, …)."
                )
                % {"name": text[:MAX_CELL]}
            )
    if "nominal" not in columns and "reference" not in columns:
        problems.append(_("The header has no “nominal” (danh định) or “reference” (chuẩn) column."))
    if not readings:
        problems.append(_("The header has no reading columns (reading 1, reading 2, …)."))
    return columns, readings, [(line, p) for p in problems]


def _too_many_rows() -> tuple[None, str]:
    return (None, _("The file has more than %(n)d rows of readings: split it.") % {"n": MAX_ROWS})


def entries_of(table: Table) -> tuple[list[Entry], list[tuple[int | None, str]]]:
    """The rows with readings as entries, and the problems found in the cells and the header."""
    rows = [(line, cells) for line, cells in table.rows if any(cells)]
    if not rows:
        return [], [(None, _("The file is empty."))]
    header_line, header = rows[0]
    columns, readings, rejected = _header(header, header_line)
    if rejected or table.truncated:
        return [], rejected or [_too_many_rows()]
    rejected = list(table.problems)
    refused_cells = {line for line, _problem in table.problems}
    width = len(header)
    used = set(columns.values()) | set(readings.values())
    entries = []
    count = max(readings)
    for line, cells in rows[1:]:
        if line in refused_cells:
            continue  # its refused cells are reported; what is left of it would mislead
        cells = cells + [""] * (width - len(cells))
        if any(cells[i] for i in range(len(cells)) if i not in used):
            rejected.append(
                (line, _("There are values in cells with no column name in the header row."))
            )
            continue
        if any(len(c) > MAX_CELL for c in cells):
            rejected.append((line, _("A cell has more than %(n)d characters.") % {"n": MAX_CELL}))
            continue
        values = [cells[readings[n]] if n in readings else "" for n in range(1, count + 1)]
        if not any(values):
            continue
        if len(entries) == MAX_ROWS:
            return [], [_too_many_rows()]
        entries.append(
            Entry(
                line=line,
                range=cells[columns["range"]] if "range" in columns else "",
                phase=cells[columns["phase"]] if "phase" in columns else "",
                nominal=cells[columns["nominal"]] if "nominal" in columns else "",
                reference=cells[columns["reference"]] if "reference" in columns else "",
                readings=values,
                comma_ambiguous=table.comma_ambiguous,
            )
        )
    return entries, rejected


# --- Checking entries against the calibration ---------------------------------------------------


def check_entries(calibration: Calibration, entries: Iterable[Entry]) -> ImportResult:
    """Each entry matched to a range, phase and reference value and its readings checked.

    Every problem of every entry is reported; the rows are only those without any.
    """
    context = _Context(
        ranges=list(ranges_of(calibration)),
        references=list(allowed_references(calibration)),
        phases=list(calibration.phases),
    )
    result = ImportResult()
    for entry in entries:
        problems: list[str] = []
        spec = context.range(entry.range, problems)
        phase = context.phase(entry.phase, problems)
        reference = context.reference(entry, spec, problems) if spec is not None else None
        readings = _readings(entry, problems)
        if problems:
            result.rejected.extend((entry.line, problem) for problem in problems)
        else:
            result.rows.append(Row(spec, phase, reference, readings))
            result.lines.append(entry.line)
    return result


def _ambiguous_comma(text: str) -> str:
    return _(
        "“%(text)s”: in a file separated by commas a comma inside a number is ambiguous (a "
        "thousand or a decimal?). Write the decimal mark as a point, or save the file with ';'."
    ) % {"text": text}


def _readings(entry: Entry, problems: list[str]) -> list[str]:
    if len(entry.readings) > MAX_READINGS:
        problems.append(_("At most %(n)d readings per point.") % {"n": MAX_READINGS})
        return []
    if entry.comma_ambiguous:
        commas = [
            _("Reading %(n)d: %(error)s") % {"n": n, "error": _ambiguous_comma(text)}
            for n, text in enumerate(entry.readings, start=1)
            if "," in text
        ]
        if commas:
            problems.extend(commas)
            return []
    try:
        parse_readings(entry.readings)
    except ValidationError as error:
        problems.extend(error.messages)
        return []
    return [str(text).strip() for text in entry.readings if str(text).strip()]


@dataclass
class _Context:
    ranges: list
    references: list
    phases: list

    def range(self, text: str, problems: list[str]):
        if not text.strip():
            if len(self.ranges) == 1:
                return self.ranges[0]
            if not self.ranges:
                problems.append(_("The instrument has no range for this procedure."))
            else:
                problems.append(
                    _("Say which range or channel: %(names)s.")
                    % {"names": ", ".join(r.name for r in self.ranges)}
                )
            return None
        for spec in self.ranges:
            if _name_key(spec.name) == _name_key(text):
                return spec
        problems.append(
            _("The instrument has no range or channel “%(text)s” for this procedure: %(names)s.")
            % {"text": text, "names": ", ".join(r.name for r in self.ranges) or "—"}
        )
        return None

    def phase(self, text: str, problems: list[str]) -> str:
        phase = PHASES.get(_key(text)) if text.strip() else Phase.AS_LEFT
        if phase is None:
            problems.append(
                _(
                    "The phase “%(text)s” is not known: write as found or as left (trước hiệu "
                    "chỉnh, sau hiệu chỉnh), or leave it empty for as left."
                )
                % {"text": text}
            )
        elif phase not in self.phases:
            problems.append(
                _("As-found readings are entered only when the instrument is adjusted.")
            )
        return phase or Phase.AS_LEFT

    def reference(self, entry: Entry, spec, problems: list[str]):
        nominal = None
        if str(entry.nominal).strip():
            if entry.comma_ambiguous and "," in entry.nominal:
                problems.append(
                    _("Nominal: %(error)s") % {"error": _ambiguous_comma(entry.nominal)}
                )
                return None
            try:
                nominal = parse_reading(entry.nominal)
            except ValidationError as error:
                problems.append(_("Nominal: %(error)s") % {"error": error.messages[0]})
                return None
        if entry.reference_id is not None:
            chosen = [r for r in self.references if r.pk == entry.reference_id]
            if not chosen:
                problems.append(
                    _(
                        "The reference value %(id)s is not one of the standards used in this "
                        "calibration."
                    )
                    % {"id": entry.reference_id}
                )
                return None
        elif entry.reference.strip():
            wanted = _name_key(entry.reference)
            chosen = [r for r in self.references if wanted in _names_of(r)]
            if not chosen:
                problems.append(
                    _(
                        "No standard used in this calibration has the reference value “%(text)s”: "
                        "%(labels)s."
                    )
                    % {"text": entry.reference, "labels": self._labels(spec)}
                )
                return None
        elif nominal is not None:
            chosen = [r for r in self.references if r.nominal == nominal]
            if not chosen:
                problems.append(
                    _(
                        "No standard used in this calibration has a value with the nominal "
                        "%(nominal)s: %(labels)s."
                    )
                    % {"nominal": entry.nominal, "labels": self._labels(spec)}
                )
                return None
        else:
            problems.append(_("Give the nominal (or the reference value) of the point."))
            return None
        if nominal is not None and any(r.nominal != nominal for r in chosen):
            problems.append(
                _("The nominal %(nominal)s is not that of the reference value %(label)s.")
                % {"nominal": entry.nominal, "label": chosen[0].label}
            )
            return None
        in_unit = sorted((r for r in chosen if r.unit == spec.unit), key=_full_label)
        if not in_unit:
            problems.append(
                _("The reference value is in %(ref)s but the instrument reads in %(unit)s.")
                % {"ref": chosen[0].unit, "unit": spec.unit}
            )
            return None
        if len(in_unit) > 1:
            problems.append(
                _(
                    "Several reference values match (%(labels)s): say which in the “reference” "
                    "column, e.g. “%(example)s”."
                )
                % {
                    "labels": ", ".join(_full_label(r) for r in in_unit),
                    "example": _full_label(in_unit[0]),
                }
            )
            return None
        return in_unit[0]

    def _labels(self, spec) -> str:
        values = [r for r in self.references if r.unit == spec.unit]
        return ", ".join(_full_label(r) for r in values) or "—"


def _full_label(reference) -> str:
    return f"{reference.calibration.standard.asset_number} · {reference.label}"


def _names_of(reference) -> set[str]:
    asset = reference.calibration.standard.asset_number
    return {
        _name_key(reference.label),
        _name_key(_full_label(reference)),
        _name_key(f"{asset} {reference.label}"),
    }


# --- Saving -------------------------------------------------------------------------------------


def check_may_import(calibration: Calibration, user: User) -> None:
    """The grid's rule: only the technician performing a draft calibration enters its readings.

    PermissionDenied for any other role or person, WorkflowError once it is no longer a draft;
    `calibration_set_points` checks the same again when saving.
    """
    require(user, "calibration.edit")
    if calibration.technician_id != user.pk:
        raise PermissionDenied(
            _("Only the technician who performs a calibration may enter its data.")
        )
    if not calibration.is_editable:
        raise WorkflowError(
            _("This calibration is %(state)s; only a draft can be changed.")
            % {"state": calibration.get_state_display().lower()}
        )


@transaction.atomic
def import_points(
    *, calibration: Calibration, result: ImportResult, by: User, reason: str = ""
) -> int:
    """Save checked rows: they replace the points of their ranges and phases, others are kept.

    Returns the number of points imported. Raises ImportRejected (by line) when
    `calibration_set_points` refuses, PermissionDenied as it does.
    """
    if not result.ok:
        raise ImportRejected(result.rejected or [(None, _("There is nothing to import."))])
    calibration = Calibration.objects.select_for_update().get(pk=calibration.pk)
    try:
        calibration_set_points(
            calibration=calibration,
            rows=result.rows,
            by=by,
            reason=reason,
            covered={(row.range, row.phase) for row in result.rows},
        )
    except ValidationError as error:
        raise ImportRejected(_locate(error.messages, result.lines)) from None
    return len(result.rows)


def _locate(messages: list[str], lines: list[int]) -> list[tuple[int | None, str]]:
    """The service names rows by their place in the grid; give them the file's line instead."""
    located = []
    for message in messages:
        line = None
        for index in range(len(lines), 0, -1):
            prefix = _("Row %(n)d: %(error)s") % {"n": index, "error": ""}
            if message.startswith(prefix):
                line, message = lines[index - 1], message.removeprefix(prefix)
                break
        located.append((line, message))
    return located


# --- Templates ------------------------------------------------------------------------------------


def template_table(calibration: Calibration) -> list[list[str]]:
    """A header and one row per agreed point of each range and phase, readings left empty."""
    language = _language()
    names = HEADERS[language]
    references = list(allowed_references(calibration))
    count = min(max(calibration.procedure.readings_per_point, 2), MAX_READINGS)
    body, need_reference = [], False
    for spec in ranges_of(calibration):
        in_unit = [r for r in references if r.unit == spec.unit]
        nominals = list(spec.points) or sorted({f"{r.nominal.normalize():f}" for r in in_unit})
        for phase in calibration.phases:  # as found first
            for nominal in nominals:
                try:
                    value = parse_reading(nominal)
                except ValidationError:
                    continue
                matches = [r for r in in_unit if r.nominal == value]
                label = _full_label(matches[0]) if len(matches) > 1 else ""
                need_reference |= bool(label)
                body.append([spec.name, PHASE_NAMES[language][phase], str(nominal), label])
    header = [names["range"], names["phase"], names["nominal"], names["reference"]]
    header += [names["reading"] % n for n in range(1, count + 1)]
    rows = [header] + [row + [""] * count for row in body]
    if not need_reference:
        rows = [row[:3] + row[4:] for row in rows]
    return rows


def template_xlsx(calibration: Calibration) -> bytes:
    """The template as a workbook; reading cells are formatted as text, so digits stay as typed."""
    import openpyxl

    table = template_table(calibration)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "số đọc" if _language() == "vi" else "readings"
    first_reading = next(i for i, name in enumerate(table[0]) if READING_COLUMN.match(_key(name)))
    for row in table:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, max_row=max(len(table), 2) + 50):
        for cell in cells[first_reading:]:
            cell.number_format = "@"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            12, *(len(str(c.value or "")) + 2 for c in column)
        )
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_csv(calibration: Calibration) -> bytes:
    """The template as CSV UTF-8 with a BOM (so Excel reads the diacritics); ';' on Vietnamese
    pages, the separator of a Vietnamese Excel, whose decimal mark is the comma."""
    output = io.StringIO()
    writer = csv.writer(
        output, delimiter=";" if _language() == "vi" else ",", lineterminator="\r\n"
    )
    writer.writerows(template_table(calibration))
    return ("\ufeff" + output.getvalue()).encode("utf-8")
