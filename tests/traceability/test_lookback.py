"""The look-back: a standard used in calibrations over two years is found out of tolerance; exactly
the calibrations after its last good state, up to the finding, are listed, no more, no fewer."""

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest

from calibration import services as cal
from calibration.models import MeasurementPoint
from calibration.results import point_result
from standards.models import Conformity, FindingSource, OutOfTolerance
from standards.services import check_record, standard_calibration_record, standard_register
from tests.conftest import login, open_calibration
from traceability.lookback import affected_calibrations, look_back

VALUES = [
    {"label": "100 g", "nominal": "100", "value": "100.000021", "expanded_uncertainty": "0.00005"},
    {"label": "200 g", "nominal": "200", "value": "199.999965", "expanded_uncertainty": "0.0001"},
]


def readings_at(calibration, *, technician, standard):
    refs = {
        v.label: v
        for v in cal.allowed_references(calibration).filter(calibration__standard=standard)
    }
    cal.calibration_set_point(
        calibration=calibration,
        position=1,
        reference=refs["100 g"],
        readings=["100.0002", "100.0001", "100.0002"],
        by=technician,
    )
    return refs


@pytest.fixture
def story(quinn, alice, vmi, national_mass, balance, procedure, today):
    """E2-07, used for two years, is found out of tolerance at its recalibration 30 days ago.

    Its certificates: V01.24.0100 730 days ago (conforms), V01.25.0200 365 days ago; intermediate
    checks of its 100 g after that, the last one in control 200 days ago: the last good day.
    E2-08, calibrated once for the whole period, is used beside it.
    """

    def ago(days):
        return today - dt.timedelta(days=days)

    faulty = standard_register(
        by=quinn, asset_number="E2-07", name="Bộ quả cân E2", quantity="mass", unit="g"
    )
    helper = standard_register(
        by=quinn, asset_number="E2-08", name="Bộ quả cân E2 (2)", quantity="mass", unit="g"
    )

    def record(standard, number, calibrated, due, conformity=Conformity.NOT_STATED, values=VALUES):
        return standard_calibration_record(
            standard=standard,
            provider=vmi,
            national_standard=national_mass,
            certificate_number=number,
            calibrated_on=calibrated,
            due_on=due,
            conformity=conformity,
            by=quinn,
            values=values,
        )

    record(helper, "V01.24.0099", ago(740), ago(-30))
    record(faulty, "V01.24.0100", ago(730), ago(365), Conformity.CONFORMS)
    c2 = record(faulty, "V01.25.0200", ago(365), today)
    baseline = ["0.000010", "0.000012", "0.000009", "0.000011", "0.000010"]
    for days, value in zip([360, 350, 340, 330, 320], baseline, strict=True):
        check_record(standard=faulty, checked_on=ago(days), label="100 g", value=value, by=alice)
    for days in (300, 200):
        check = check_record(
            standard=faulty, checked_on=ago(days), label="100 g", value="0.000011", by=alice
        )
        assert check.in_control is True

    def used(days, standard=faulty):
        return open_calibration(
            instrument=balance,
            procedure=procedure,
            standard=standard,
            technician=alice,
            on=ago(days),
        )

    s = SimpleNamespace(faulty=faulty, helper=helper, c2=c2, ago=ago)
    s.two_years_ago = used(700)
    s.before_second_certificate = used(400)
    s.before_last_check = used(300)
    s.on_last_good_day = used(200)
    s.day_after_last_good = used(199)
    # E2-07 beside E2-08, whose values the points use: affected, with no point of its own.
    s.beside = cal.calibration_create(
        instrument=balance,
        procedure=procedure,
        by=alice,
        received_on=ago(120),
        performed_on=ago(120),
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[faulty, helper],
    )
    readings_at(s.beside, technician=alice, standard=helper)
    # E2-07 only as the reference of a point: the services let a point use only a standard of its
    # calibration, but records from before them (imports) may not, and must still be found.
    s.point_only = cal.calibration_create(
        instrument=balance,
        procedure=procedure,
        by=alice,
        received_on=ago(150),
        performed_on=ago(150),
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[helper],
    )
    readings_at(s.point_only, technician=alice, standard=helper)
    reference = c2.values.get(label="200 g")
    readings = [Decimal("199.9998"), Decimal("199.9999")]
    MeasurementPoint.objects.create(
        calibration=s.point_only,
        range=s.point_only.points.get().range,
        position=2,
        reference=reference,
        readings=[str(r) for r in readings],
        result=point_result(readings=readings, reference=reference, resolution=balance.resolution),
    )
    s.helper_only = used(90, helper)
    s.ratio_point = used(100)
    s.on_found_day = used(30)
    s.recalibration = record(
        faulty,
        "V01.26.0900",
        ago(30),
        ago(-335),
        Conformity.DOES_NOT_CONFORM,
        [{**VALUES[0], "value": "100.000350"}, VALUES[1]],
    )
    s.after_found_day = used(10)
    s.finding = OutOfTolerance.objects.get(standard=faulty)
    s.affected = {
        s.day_after_last_good,
        s.point_only,
        s.beside,
        s.ratio_point,
        s.on_found_day,
    }
    return s


def test_the_recalibration_opens_a_finding_with_the_last_good_day(story):
    finding = story.finding
    assert finding.source == FindingSource.RECALIBRATION
    assert finding.incoming == story.recalibration
    assert finding.found_on == story.ago(30)
    assert finding.last_good_on == story.ago(200)  # the last in-control check
    assert "V01.26.0900" in finding.description


def test_exactly_the_calibrations_after_the_last_good_day_up_to_the_finding_are_affected(story):
    affected = list(affected_calibrations(story.finding))
    assert set(affected) == story.affected
    assert len(affected) == len(story.affected)  # each once, though used several ways
    assert [c.performed_on for c in affected] == sorted(c.performed_on for c in affected)


def test_the_boundaries_of_the_window(story):
    affected = set(affected_calibrations(story.finding))
    assert story.on_last_good_day not in affected  # shown good that day: its result stands
    assert story.day_after_last_good in affected
    assert story.on_found_day in affected
    assert story.after_found_day not in affected  # made with the new certificate
    assert story.helper_only not in affected  # E2-07 not used
    for earlier in (story.two_years_ago, story.before_second_certificate, story.before_last_check):
        assert earlier not in affected


def test_the_shift_over_U_of_a_point_is_the_hand_computation(story):
    rows = {row.calibration: row for row in look_back(story.finding)}
    effects = {e.point.position: e for e in rows[story.ratio_point].effects}
    point = effects[1].point
    # Found 100.000350 g at recalibration; the point used 100.000021 g from V01.25.0200.
    assert effects[1].shift == Decimal("0.000329")
    U = Decimal(point.result["reported_U"])
    assert effects[1].expanded_uncertainty == U
    assert effects[1].ratio == pytest.approx(float(Decimal("0.000329") / U), rel=1e-12)
    # by hand: U = 0.00011 g (the point's reported U), 0.000329 / 0.00011 = 2.9909...
    assert U == Decimal("0.00011")
    assert effects[1].ratio == pytest.approx(2.990909, abs=5e-7)
    assert effects[2].shift == Decimal("0")  # the 200 g was found where it was
    assert rows[story.ratio_point].worst_ratio == effects[1].ratio


def test_a_standard_used_beside_the_points_is_listed_without_effects(story):
    rows = {row.calibration: row for row in look_back(story.finding)}
    assert rows[story.beside].effects == ()
    assert [e.point.position for e in rows[story.point_only].effects] == [2]
    assert rows[story.point_only].effects[0].shift == Decimal("0")


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_csv_export_has_exactly_the_affected_calibrations(client, story, rita):
    login(client, rita)
    response = client.get(f"/traceability/findings/{story.finding.pk}/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert {int(r["calibration"]) for r in rows} == {c.pk for c in story.affected}
    # one row per point of E2-07, one for a calibration that used it beside its points
    assert len(rows) == 2 + 1 + 1 + 2 + 2
    ratio = [r for r in rows if int(r["calibration"]) == story.ratio_point.pk and r["point"] == "1"]
    assert ratio[0]["shift"] == "0.000329"
    U = Decimal(story.ratio_point.points.get(position=1).result["reported_U"])
    assert ratio[0]["shift_over_U"] == f"{float(Decimal('0.000329') / U):.2f}"


def test_the_finding_page_lists_them_for_lab_staff_only(client, story, alice, carol):
    login(client, alice)
    page = client.get(f"/traceability/findings/{story.finding.pk}/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == len(story.affected)
    assert "Awaiting the quality manager" in page.content.decode()
    login(client, carol)
    assert client.get(f"/traceability/findings/{story.finding.pk}/").status_code == 403
    assert client.get(f"/traceability/findings/{story.finding.pk}/csv/").status_code == 403


# ---------------------------------------------------------------------------------------------
# The quality manager's assessment


def test_the_assessment_is_required(client, story, quinn):
    login(client, quinn)
    url = f"/traceability/findings/{story.finding.pk}/"
    response = client.post(url, {"assessment": "", "notified_on": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["assessment"]
    story.finding.refresh_from_db()
    assert not story.finding.is_assessed


def test_the_notified_date_is_required_when_customers_were_notified(client, story, quinn):
    login(client, quinn)
    url = f"/traceability/findings/{story.finding.pk}/"
    response = client.post(
        url, {"assessment": "Two results exceed U.", "customers_notified": "on", "notified_on": ""}
    )
    assert response.status_code == 200
    assert "Give the date the customers were notified." in response.content.decode()
    story.finding.refresh_from_db()
    assert not story.finding.is_assessed


def test_the_quality_manager_records_the_assessment_and_its_history_is_kept(
    client, story, quinn, today
):
    login(client, quinn)
    url = f"/traceability/findings/{story.finding.pk}/"
    first = client.post(url, {"assessment": "Results within U; no action.", "notified_on": ""})
    assert first.status_code == 302
    second = client.post(
        url,
        {
            "assessment": "Calibration of 100 g points exceed U: customers told.",
            "customers_notified": "on",
            "notified_on": today.isoformat(),
        },
    )
    assert second.status_code == 302
    finding = OutOfTolerance.objects.get(pk=story.finding.pk)
    assert finding.assessed_by == quinn and finding.is_assessed
    assert (finding.customers_notified, finding.notified_on) == (True, today)
    history = list(finding.history.order_by("history_date", "history_id"))
    assert [h.assessment for h in history] == [
        "",
        "Results within U; no action.",
        "Calibration of 100 g points exceed U: customers told.",
    ]
    assert all(h.history_user == quinn for h in history[1:])
    assert all(h.history_change_reason == "Look-back assessed" for h in history[1:])
    assert "customers told" in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["alice", "rita", "adam"])
def test_only_the_quality_manager_may_assess(client, story, persona, request):
    login(client, request.getfixturevalue(persona))
    url = f"/traceability/findings/{story.finding.pk}/"
    assert client.get(url).context["form"] is None
    response = client.post(url, {"assessment": "Fine.", "notified_on": ""})
    assert response.status_code == 403
    story.finding.refresh_from_db()
    assert not story.finding.is_assessed
