"""The chain diagram: one box per link down to the SI, and a broken link drawn and explained."""

import datetime as dt
import xml.etree.ElementTree as ET

from tests.conftest import login

SVG = "{http://www.w3.org/2000/svg}"


def boxes(html: str) -> list[ET.Element]:
    start = html.index("<svg")
    svg = ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])
    return [rect for rect in svg.iter(f"{SVG}rect") if "link" in rect.get("class", "")]


def test_a_standards_chain_reaches_the_si_box_by_box(client, rita, weights, today):
    login(client, rita)
    html = client.get(f"/traceability/standards/{weights.pk}/?on={today}").content.decode()
    kinds = [box.get("class").split()[1] for box in boxes(html)]
    assert kinds == ["standard", "certificate", "provider", "national_standard", "si"]
    assert "broken" not in html.split("<svg", 1)[1]
    assert "kilogram (kg)" in html


def test_a_date_after_the_due_date_breaks_the_chain_at_the_certificate(
    client, rita, weights, today
):
    login(client, rita)
    later = today + dt.timedelta(days=300)
    html = client.get(f"/traceability/standards/{weights.pk}/?on={later}").content.decode()
    broken = [box.get("class") for box in boxes(html) if "broken" in box.get("class")]
    assert broken == ["link certificate broken"]
    assert "is overdue: its calibration V01.26.0001 was due on" in html
