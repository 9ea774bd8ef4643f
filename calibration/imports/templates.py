"""The downloadable templates: a header and one row per agreed point, as .xlsx or CSV UTF-8."""

import csv
import io

from django.core.exceptions import ValidationError

from calibration.imports.check import _full_label
from calibration.imports.names import HEADERS, PHASE_NAMES, READING_COLUMN, _key, _language
from calibration.imports.results import MAX_READINGS
from calibration.models import Calibration
from calibration.services import allowed_references, parse_reading, ranges_of


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
