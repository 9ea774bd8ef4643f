from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calibration.models import Instrument
from certificates.dcc import DccExportError, dcc_xml, dsi_unit
from certificates.models import Certificate
from dcc.read import read
from dcc.units import plain_unit
from dcc.xsd import validate


def stored_figures(certificate):
    """(error, U, k) of every point as stored, in the certificate's order."""
    points = certificate.calibration.points.order_by(
        "range__position", "range_id", "phase", "position"
    )
    return [
        (
            Decimal(p.result["reported_error"]),
            Decimal(p.result["reported_U"]),
            Decimal(p.result["reported_k"]),
        )
        for p in points
    ]


def errors_read_back(incoming):
    return [
        (r.value, r.expanded_uncertainty, r.coverage_factor)
        for r in incoming.results
        if r.ref_type == "basic_measurementError"
    ]


def test_it_writes_a_dcc_the_schema_accepts(issued):
    assert validate(dcc_xml(issued)) == []


def test_it_reads_back_the_number_the_serial_and_the_reported_figures(issued):
    incoming = read(dcc_xml(issued))
    instrument = issued.calibration.instrument
    assert incoming.certificate_number == issued.number
    assert incoming.items[0].serial_number == instrument.serial_number
    assert incoming.calibrated_on == issued.calibration.performed_on
    assert incoming.languages == ("vi", "en")
    assert incoming.mandatory_languages == ("vi",)
    assert errors_read_back(incoming) == stored_figures(issued)
    assert {r.plain_unit for r in incoming.results} == {instrument.unit}


def test_it_names_the_approver_as_main_signer_and_the_reviewer(issued):
    incoming = read(dcc_xml(issued))
    signers = {s.meaning: str(s.signer) for s in issued.calibration.signatures.all()}
    assert [(p.role, p.name, p.main_signer) for p in incoming.resp_persons] == [
        ("reviewer", signers["reviewed"], False),
        ("approver", signers["approved"], True),
    ]


def test_it_states_the_environment_and_that_results_relate_only_to_the_item(issued):
    data = dcc_xml(issued)
    incoming = read(data)
    conditions = {r.ref_type: (r.value, r.plain_unit) for r in incoming.conditions}
    assert conditions == {
        "basic_temperature": (issued.calibration.temperature, "°C"),
        "basic_humidityRelative": (issued.calibration.humidity, "%"),
    }
    assert "The results relate only to the item calibrated." in data.decode()


def test_it_writes_the_same_bytes_every_time(issued):
    assert dcc_xml(issued) == dcc_xml(issued)


def test_it_refuses_a_unit_it_cannot_write_in_d_si(issued):
    Instrument.objects.filter(pk=issued.calibration.instrument_id).update(unit="furlong")
    issued.refresh_from_db()
    with pytest.raises(DccExportError, match="furlong"):
        dcc_xml(issued)
    # What was issued stays what is exported: the DCC stored at issue, not one written again.
    out = StringIO()
    call_command("export_dcc", issued.number, stdout=out)
    assert out.getvalue().encode() == bytes(issued.dcc)


@pytest.mark.parametrize(
    "unit", ["g", "kg", "mg", "°C", "K", "bar", "Pa", "kPa", "MPa", "%", "V", "A", "Ω"]
)
def test_every_unit_of_ours_reads_back_as_itself(unit):
    assert plain_unit(dsi_unit(unit)) == unit


def test_the_export_command_prints_the_dcc(issued):
    out = StringIO()
    call_command("export_dcc", issued.number, stdout=out)
    assert out.getvalue().encode() == dcc_xml(issued)


def test_the_export_command_writes_a_file(issued, tmp_path):
    target = tmp_path / "dcc.xml"
    call_command("export_dcc", issued.number, output=str(target), stderr=StringIO())
    assert target.read_bytes() == dcc_xml(issued)


def test_the_export_command_refuses_an_unknown_number(db):
    with pytest.raises(CommandError, match="HC-1999-99999"):
        call_command("export_dcc", "HC-1999-99999", stdout=StringIO())


def test_every_demo_certificate_is_a_valid_dcc_that_reads_back(db):
    call_command("demo", stdout=StringIO())
    certificates = list(Certificate.objects.all())
    assert certificates
    for certificate in certificates:
        data = dcc_xml(certificate)
        assert validate(data) == [], certificate.number
        incoming = read(data)
        assert incoming.certificate_number == certificate.number
        assert incoming.items[0].serial_number == certificate.calibration.instrument.serial_number
        assert errors_read_back(incoming) == stored_figures(certificate), certificate.number


def test_the_demo_verdicts_are_conformity_statements(db):
    call_command("demo", stdout=StringIO())
    for certificate in Certificate.objects.all():
        incoming = read(dcc_xml(certificate))
        decisions = [
            p.result.get("decision")
            for p in certificate.calibration.points.order_by(
                "range__position", "range_id", "phase", "position"
            )
        ]
        statuses = [
            r.conformity for r in incoming.results if r.ref_type == "basic_measurementError"
        ]
        expected = [
            {"conditional_pass": "conditionalPass", "conditional_fail": "conditionalFail"}.get(
                d, d or ""
            )
            for d in decisions
        ]
        assert statuses == expected, certificate.number
        # the decision rule's statement: one status when all points agree, else each point's
        said = [c.status.split() for c in incoming.conformity]
        decided = [status for status in expected if status]
        assert said == [decided if len(set(decided)) > 1 else decided[:1]], certificate.number


def test_an_adjusted_two_range_gauge_has_one_result_per_range_and_phase(db):
    from calibration import workflow as flow
    from certificates.services import certificate_issue
    from lims.models import User

    call_command("demo", stdout=StringIO())
    calibration = Instrument.objects.get(serial_number="680-11873").calibrations.get()
    an, chau = User.objects.get(username="an"), User.objects.get(username="chau")
    flow.calibration_submit(calibration=calibration, by=an)
    flow.calibration_review(calibration=calibration, by=chau, password="demo-2026")
    flow.calibration_approve(calibration=calibration, by=chau, password="demo-2026")
    certificate = certificate_issue(calibration=calibration, by=chau)

    data = dcc_xml(certificate)
    assert validate(data) == []
    incoming = read(data)
    groups = list(dict.fromkeys(r.group for r in incoming.results))
    assert groups == [
        "Kết quả hiệu chuẩn, 0 – 10 bar, trước hiệu chỉnh",
        "Kết quả hiệu chuẩn, 0 – 10 bar, sau hiệu chỉnh",
        "Kết quả hiệu chuẩn, 0 – 100 bar, trước hiệu chỉnh",
        "Kết quả hiệu chuẩn, 0 – 100 bar, sau hiệu chỉnh",
    ]
    assert errors_read_back(incoming) == stored_figures(certificate)
    assert "The instrument was adjusted" in data.decode()
