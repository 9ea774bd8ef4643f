"""The programme report's workbook holds data, never formulas."""

from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from verification.report import programme_report
from verification.report_export import report_workbook


def test_a_site_named_like_a_formula_is_written_as_text(db, rita, verifier, weights_m1):
    from verification.campaigns import campaign_create

    today = timezone.localdate()
    campaign_create(
        by=rita,
        name='=HYPERLINK("http://evil")',
        site="=1+1",
        province="Gia Lai",
        starts_on=today,
        ends_on=today,
        leader=verifier,
        team=[verifier],
        standards=[weights_m1],
    )
    book = load_workbook(
        BytesIO(report_workbook(programme_report(today.year, "Gia Lai"), generated=today))
    )
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    suspicious = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert suspicious and all(c.data_type == "s" for c in suspicious)
