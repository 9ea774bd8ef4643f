"""The Excel list, read back with openpyxl: the dashboard's columns and states, real dates."""

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from portal.due import add_months
from tests.conftest import login


def workbook(client, url="/portal/instruments.xlsx"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(BytesIO(response.content)).active


def records(sheet):
    header = [cell.value for cell in sheet[1]]
    return header, [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def test_the_workbook_lists_every_instrument_with_bilingual_headers_frozen(
    client, fleet, carol, customer
):
    sheet = workbook(login(client, carol))
    header, rows = records(sheet)
    assert header[:2] == ["Mã của khách hàng / Customer's ID", "Tên phương tiện đo / Instrument"]
    assert "Hạn hiệu chuẩn tiếp theo / Next due date" in header
    assert all(" / " in title for title in header)
    assert sheet.freeze_panes == "A2"
    assert sorted(row["Số sản xuất / Serial number"] for row in rows) == sorted(
        [
            "overdue",
            "due_soon",
            "in_force",
            "no_interval",
            "never",
            "in_lab",
            "requested",
            "withdrawn",
        ]
    )


def test_dates_are_excel_dates_and_states_and_verdicts_as_on_the_page(client, fleet, carol, today):
    sheet = workbook(login(client, carol))
    _header, rows = records(sheet)
    overdue = next(r for r in rows if r["Số sản xuất / Serial number"] == "overdue")
    performed = today - dt.timedelta(days=45)
    assert overdue["Ngày hiệu chuẩn / Date of calibration"] == dt.datetime.combine(
        performed, dt.time()
    )
    assert overdue["Hạn hiệu chuẩn tiếp theo / Next due date"] == dt.datetime.combine(
        add_months(performed, 1), dt.time()
    )
    assert overdue["Chu kỳ (tháng) / Recall interval (months)"] == 1
    assert overdue["Trạng thái / State"].endswith("Overdue")
    assert overdue["Kết luận / Verdict"].endswith("Out of tolerance")
    assert overdue["Giấy chứng nhận gần nhất / Last certificate"].startswith("HC-")
    date_cells = [c for c in sheet[2] if isinstance(c.value, dt.datetime)]
    assert date_cells and {c.number_format for c in date_cells} == {"DD/MM/YYYY"}
    requested = next(r for r in rows if r["Số sản xuất / Serial number"] == "requested")
    assert requested["Phiếu tiếp nhận / Job"].startswith("TN-")
    never = next(r for r in rows if r["Số sản xuất / Serial number"] == "never")
    assert never["Ngày hiệu chuẩn / Date of calibration"] is None


def test_the_export_follows_the_pages_filter(client, fleet, carol):
    sheet = workbook(login(client, carol), "/portal/instruments.xlsx?state=due_soon")
    _header, rows = records(sheet)
    assert [r["Số sản xuất / Serial number"] for r in rows] == ["due_soon"]


def test_a_name_that_looks_like_a_formula_stays_text(client, fleet, carol):
    from calibration.models import Instrument

    Instrument.objects.filter(pk=fleet["never"].pk).update(name='=HYPERLINK("http://evil")')
    sheet = workbook(login(client, carol))
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
