"""Reading a file into a table (CSV or .xlsx, told apart by their bytes), its rows into entries.

Nothing here knows the calibration: the entries are checked against it in `check`.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Context, Decimal

from django.utils.translation import gettext as _

from calibration.imports.names import COLUMNS, READING_COLUMN, _key
from calibration.imports.results import (
    EXCEL_DIGITS,
    MAX_BYTES,
    MAX_CELL,
    MAX_COLUMNS,
    MAX_READINGS,
    MAX_ROWS,
    MAX_UNPACKED,
    Entry,
    Unreadable,
)

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
