"""The instruments list as an Excel workbook, for the customer's own measurement-assurance records.

The same columns and states as the dashboard. Headers are in both languages (Vietnamese /
English), whatever the page's language, since the file is passed on to people who read either;
the state and verdict are written in both where the Vietnamese translation exists. Dates are real
Excel dates (shown dd/mm/yyyy) so the customer can sort and compute with them; the header row is
frozen and filterable.
"""

import datetime as dt
from io import BytesIO

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from lims.models import Customer
from lims.xlsx import without_formulas
from portal.due import InstrumentRow, InstrumentState

DATE_FORMAT = "DD/MM/YYYY"

# header, width, value of a row
COLUMNS = [
    ("Mã của khách hàng / Customer's ID", 16, lambda r: r.instrument.customer_asset_id),
    ("Tên phương tiện đo / Instrument", 28, lambda r: r.instrument.name),
    ("Nhà sản xuất / Manufacturer", 18, lambda r: r.instrument.manufacturer),
    ("Kiểu / Model", 16, lambda r: r.instrument.model),
    ("Số sản xuất / Serial number", 18, lambda r: r.instrument.serial_number),
    ("Phạm vi đo / Range", 18, lambda r: r.instrument.measuring_range),
    ("Nơi sử dụng / Location", 20, lambda r: r.instrument.location),
    ("Giấy chứng nhận gần nhất / Last certificate", 22, lambda r: _number(r)),
    ("Ngày hiệu chuẩn / Date of calibration", 16, lambda r: _performed(r)),
    ("Kết luận / Verdict", 26, lambda r: _both(r.verdict_label) if r.verdict else None),
    ("Chu kỳ (tháng) / Recall interval (months)", 14, lambda r: r.instrument.recall_months),
    ("Hạn hiệu chuẩn tiếp theo / Next due date", 16, lambda r: r.due_on),
    ("Trạng thái / State", 26, lambda r: _both(r.state_label)),
    ("Phiếu tiếp nhận / Job", 16, lambda r: r.job.number if r.job else None),
]
ATTENTION = {
    InstrumentState.OVERDUE: PatternFill("solid", fgColor="FDECEA"),
    InstrumentState.DUE_SOON: PatternFill("solid", fgColor="FFF4E0"),
}


def _number(row: InstrumentRow) -> str | None:
    return row.certificate.number if row.certificate else None


def _performed(row: InstrumentRow) -> dt.date | None:
    return row.calibration.performed_on if row.calibration else None


def _both(label) -> str:
    """A translatable label in Vietnamese and English, or once where both read the same."""
    with translation.override("vi"):
        vi = str(label)
    with translation.override("en"):
        en = str(label)
    return en if vi == en else f"{vi} / {en}"


def instruments_workbook(customer: Customer, rows: list[InstrumentRow], *, today: dt.date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Phương tiện đo - Instruments"
    book.properties.title = f"{customer.name}: phương tiện đo / instruments, {today:%d/%m/%Y}"
    book.properties.creator = "LIMS"
    sheet.append([header for header, _width, _value in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_header, width, _value) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([value(row) for _header, _width, value in COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            if row.state in ATTENTION:
                cell.fill = ATTENTION[row.state]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"
    without_formulas(sheet)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
