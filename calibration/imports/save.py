"""Saving checked rows: who may import, and one call of `calibration_set_points`, all or none."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from calibration.entry import UNSAVED, unsaved_draft
from calibration.imports.results import ImportRejected, ImportResult
from calibration.models import Calibration
from calibration.services import Row, WorkflowError, calibration_set_points, check_editable
from lims.models import User


def check_may_import(calibration: Calibration, user: User) -> None:
    """The grid's rule: only the technician performing a draft calibration enters its readings.

    PermissionDenied for any other role or person, WorkflowError once it is no longer a draft;
    `calibration_set_points` checks the same again when saving.
    """
    check_editable(calibration, user)
    if unsaved_draft(calibration) is not None:  # the import would be written over them
        raise WorkflowError(str(UNSAVED))


@transaction.atomic
def import_points(
    *, calibration: Calibration, result: ImportResult, by: User, reason: str = ""
) -> int:
    """Save checked rows, merged into the points already saved: a row replaces the point of its
    range and phase measured at the same reference value, or is added after the others. No
    saved point is removed by an import (the grid removes points).

    Returns the number of points imported. Raises ImportRejected (by line) when
    `calibration_set_points` refuses, PermissionDenied as it does.
    """
    if not result.ok:
        raise ImportRejected(result.rejected or [(None, _("There is nothing to import."))])
    calibration = Calibration.objects.select_for_update().get(pk=calibration.pk)
    if unsaved_draft(calibration) is not None:  # the import would be written over them
        raise WorkflowError(str(UNSAVED))
    rows, lines = _merged(calibration, result)
    try:
        calibration_set_points(
            calibration=calibration,
            rows=rows,
            by=by,
            reason=reason,
            covered={(row.range, row.phase) for row in result.rows},
        )
    except ValidationError as error:
        raise ImportRejected(_locate(error.messages, lines)) from None
    return len(result.rows)


def _merged(calibration: Calibration, result: ImportResult):
    """The rows of the sections the file names, saved points first, in their order; and the
    file's line of each row (None for a point kept as it was)."""
    sections = list(dict.fromkeys((row.range, row.phase) for row in result.rows))
    from_file = {}
    for row, line in zip(result.rows, result.lines, strict=True):
        from_file.setdefault((row.range.pk, row.phase), []).append((row, line))
    rows, lines = [], []
    for spec, phase in sections:
        waiting = list(from_file[spec.pk, phase])
        for point in calibration.points.filter(range=spec, phase=phase).select_related("reference"):
            match = next(
                (i for i, (r, _l) in enumerate(waiting) if r.reference == point.reference), None
            )
            if match is None:
                rows.append(Row(spec, phase, point.reference, point.readings))
                lines.append(None)
            else:
                row, line = waiting.pop(match)
                rows.append(row)
                lines.append(line)
        for row, line in waiting:
            rows.append(row)
            lines.append(line)
    return rows, lines


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
