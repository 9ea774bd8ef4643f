"""Checking entries against a calibration: a file's (`parse_import`), the API's (`check_entries`).

Each entry is matched to a range, a phase and a reference value, and its readings are checked;
every problem of every entry is reported. Nothing is saved here.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from calibration.imports.names import PHASES, _key, _name_key
from calibration.imports.read import entries_of, read_table
from calibration.imports.results import MAX_READINGS, Entry, ImportResult, Unreadable
from calibration.models import Calibration, Phase
from calibration.services import (
    Row,
    allowed_references,
    parse_reading,
    parse_readings,
    ranges_of,
)


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
