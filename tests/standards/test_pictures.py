"""A standard's drift and control charts print: WeasyPrint renders them into a PDF with their text."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from weasyprint import HTML

from standards.charts import control_svg, drift_svg
from standards.intervals import series
from standards.services import check_record, standard_calibration_record, standard_update


@pytest.fixture
def pdftotext():
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return tool


def test_the_drift_and_control_charts_render_in_a_pdf(
    weights, vmi, national_mass, quinn, alice, today, tmp_path, pdftotext
):
    standard_update(
        standard=weights, by=quinn, reason="OIML R111 E2 MPE", tolerance=Decimal("0.00016")
    )
    standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.25.0001",
        calibrated_on=today - dt.timedelta(days=465),
        due_on=today - dt.timedelta(days=101),
        by=quinn,
        values=[
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.000011",
                "expanded_uncertainty": "0.00005",
            },
        ],
    )
    for n, value in enumerate(
        ["100.00002", "100.00003", "100.00002", "100.00001", "100.00002", "100.00002"]
    ):
        check_record(
            standard=weights,
            checked_on=today - dt.timedelta(days=60 - 10 * n),
            label="100 g",
            value=value,
            by=alice,
        )
    drift = drift_svg(weights, "100 g", series(weights)["100 g"])
    control = control_svg(weights, "100 g", list(weights.checks.order_by("checked_on")))
    pdf = tmp_path / "charts.pdf"
    HTML(string=f"<html><body>{drift}{control}</body></html>").write_pdf(pdf)
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "Drift of E2-01, 100 g",
        "Calibration date",
        "Tolerance",
        "Intermediate checks of E2-01, 100 g",
        "Control limits",
        "UCL",
    ):
        assert words in text
