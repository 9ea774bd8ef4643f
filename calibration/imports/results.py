"""What the steps of an import share: the limits, an entry as read, the result, the refusals."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from calibration.services import Row

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
