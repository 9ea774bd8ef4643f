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

What an import changes
    A row replaces the saved point of its range and phase measured at the same reference value,
    or is added after the others; no saved point is removed by an import (a technician filling
    only some rows of the template loses nothing). Only the points that change are written,
    with the import's reason in their history. Removing points is done in the grid.

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

The modules
    `read` reads a file into a table (CSV or .xlsx) and its rows into entries; `check` checks
    entries against the calibration into rows (`parse_import` for a file, `check_entries` for the
    API); `save` saves them (`import_points`); `templates` writes the files to fill in; `names`
    and `results` hold what the steps share. Callers import the names from this package.
"""

from calibration.imports.check import check_entries, parse_import
from calibration.imports.names import COLUMNS, HEADERS, PHASE_NAMES, PHASES, READING_COLUMN
from calibration.imports.read import Table, cell_text, entries_of, read_table
from calibration.imports.results import (
    EXCEL_DIGITS,
    MAX_BYTES,
    MAX_CELL,
    MAX_COLUMNS,
    MAX_READINGS,
    MAX_ROWS,
    MAX_UNPACKED,
    XLSX_TYPE,
    Entry,
    ImportRejected,
    ImportResult,
    Unreadable,
)
from calibration.imports.save import _locate as _locate  # for the tests
from calibration.imports.save import check_may_import, import_points
from calibration.imports.templates import template_csv, template_table, template_xlsx

__all__ = [
    "COLUMNS",
    "EXCEL_DIGITS",
    "HEADERS",
    "MAX_BYTES",
    "MAX_CELL",
    "MAX_COLUMNS",
    "MAX_READINGS",
    "MAX_ROWS",
    "MAX_UNPACKED",
    "PHASES",
    "PHASE_NAMES",
    "READING_COLUMN",
    "XLSX_TYPE",
    "Entry",
    "ImportRejected",
    "ImportResult",
    "Table",
    "Unreadable",
    "cell_text",
    "check_entries",
    "check_may_import",
    "entries_of",
    "import_points",
    "parse_import",
    "read_table",
    "template_csv",
    "template_table",
    "template_xlsx",
]
