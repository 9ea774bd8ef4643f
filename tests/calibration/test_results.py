"""Each point's result by its procedure: model and budget template, CMC floor, ILAC P14 rounding,
the decision rule, Monte Carlo where the model asks for it, and recomputation from what is stored."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Adjustment, Phase, ScopeEntry, State
from calibration.results import recompute
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

READINGS = ["100.0002", "100.0001", "100.0002"]


def point_with(draft, alice, **procedure):
    for name, value in procedure.items():
        setattr(draft.procedure, name, value)
    draft.procedure.save()
    reference = draft.points.get(position=1).reference
    return cal.calibration_set_point(
        calibration=draft, position=1, reference=reference, readings=READINGS, by=alice
    ).result


def test_a_relative_type_b_component_is_recomputed_at_each_point(draft, alice):
    budget = [
        {"name": "r", "source": "readings"},
        {"name": "d_r", "source": "resolution"},
        {"name": "x_ref", "source": "certificate"},
        {
            "name": "d_h",
            "source": "other",
            "dist": "rectangular",
            "value": "0.0001",
            "relative": True,
        },
    ]
    draft.procedure.budget, draft.procedure.model = budget, "r + d_r - x_ref - d_h"
    draft.procedure.save()
    for point in draft.points.all():
        cal.calibration_set_point(
            calibration=draft,
            position=point.position,
            reference=point.reference,
            readings=point.readings,
            by=alice,
        )
    rows = {p.position: {b["name"]: b for b in p.result["budget"]} for p in draft.points.all()}
    # a = 0.0001 % of the mean reading, rectangular: u = a/√3
    assert rows[1]["d_h"]["u"] == pytest.approx(1e-6 * 100.0001667 / math.sqrt(3), rel=1e-9)
    assert rows[2]["d_h"]["u"] == pytest.approx(1e-6 * 199.9998333 / math.sqrt(3), rel=1e-9)


def test_the_cmc_of_the_scope_is_the_floor_of_the_reported_u(draft, alice):
    ScopeEntry.objects.all().delete()
    ScopeEntry.objects.create(
        procedure_code="QTHC-KL-01",
        quantity="mass",
        unit="g",
        minimum=Decimal("0"),
        maximum=Decimal("220"),
        cmc_abs=Decimal("0.0002"),
    )
    result = point_with(draft, alice)
    assert result["U"] < 0.0002  # computed ≈ 0.00011 g
    assert (result["reported_U"], result["cmc_applied"], result["cmc"]) == (
        "0.00020",
        True,
        "0.0002",
    )
    assert result["in_scope"] is True


def test_a_point_outside_every_scope_line_is_marked_so(draft, alice):
    ScopeEntry.objects.all().delete()
    ScopeEntry.objects.create(
        procedure_code="QTHC-KL-01",
        quantity="mass",
        unit="g",
        minimum=Decimal("150"),
        maximum=Decimal("220"),
        cmc_abs=Decimal("0.00001"),
    )
    result = point_with(draft, alice)
    assert (result["in_scope"], result["cmc"], result["cmc_applied"]) == (False, None, False)


@pytest.mark.parametrize(
    ("rule", "tolerance", "decision"),
    [
        ("simple", "0.0002", "pass"),  # E = 0.00015 ≤ 0.0002
        ("guarded_acceptance", "0.0002", "fail"),  # 0.00015 > 0.0002 − U (0.00011)
        ("non_binary", "0.0002", "conditional_pass"),
        ("simple", "0.0001", "fail"),
        ("none", "0.0001", None),
    ],
)
def test_the_verdict_follows_the_procedures_decision_rule(draft, alice, rule, tolerance, decision):
    point = draft.points.get(position=1)
    point.range.tolerance_abs = Decimal(tolerance)
    point.range.save()
    result = point_with(draft, alice, decision_rule=rule)
    assert result["decision"] == decision
    if decision:
        assert result["tolerance"] == tolerance
        assert (
            "ILAC-G8" in result["statement_en"] and "Quy tắc quyết định" in result["statement_vi"]
        )


def test_the_tolerance_may_be_a_percentage_of_the_value(draft, alice):
    point = draft.points.get(position=1)
    point.range.tolerance_abs, point.range.tolerance_rel = Decimal("0.0001"), Decimal("0.0001")
    point.range.save()
    assert point_with(draft, alice)["tolerance"] == "0.0002"  # 0.0001 + 0.0001 % of 100 g


TEN = ["100.0002", "100.0001", "100.0002", "100.0001", "100.0002"] * 2


def mc_point(draft, alice, budget_extra, model):
    procedure = draft.procedure
    procedure.budget = [*procedure.budget, *budget_extra]
    procedure.model, procedure.monte_carlo = model, True
    procedure.save()
    reference = draft.points.get(position=1).reference
    return cal.calibration_set_point(
        calibration=draft, position=1, reference=reference, readings=TEN, by=alice
    ).result


def test_monte_carlo_validates_the_gum_interval_when_a_normal_input_dominates(draft, alice):
    extra = [{"name": "d_x", "source": "other", "dist": "normal", "value": "0.0005"}]
    result = mc_point(draft, alice, extra, "r + d_r - x_ref - d_x")
    mc = result["mc"]
    assert result["method"] == "gum+mc" and isinstance(mc["seed"], int)
    assert mc["trials"] >= 10_000  # adaptive, JCGM 101 7.9
    assert mc["validated"] is True
    assert mc["d_low"] <= mc["tolerance"] and mc["d_high"] <= mc["tolerance"]
    assert recompute(result)["same"] is True


def test_an_interval_monte_carlo_does_not_validate_is_reported_from_monte_carlo(draft, alice):
    result = mc_point(draft, alice, [], "r + d_r - x_ref")
    mc = result["mc"]
    assert mc["validated"] is (mc["d_low"] <= mc["tolerance"] and mc["d_high"] <= mc["tolerance"])
    if not mc["validated"]:  # JCGM 101 8.1: the Monte Carlo interval is the one reported
        assert result["U"] == pytest.approx(
            max(mc["high"] - result["value"], result["value"] - mc["low"])
        )
    assert recompute(result)["same"] is True


def test_monte_carlo_refuses_too_few_readings_with_a_message(draft, alice):
    draft.procedure.monte_carlo = True
    draft.procedure.save()
    with pytest.raises(ValidationError, match="more than 2 degrees of freedom"):
        cal.calibration_set_point(
            calibration=draft,
            position=1,
            reference=draft.points.get(position=1).reference,
            readings=READINGS,
            by=alice,
        )


def test_a_stored_result_recomputes_to_the_same_figures(draft):
    for point in draft.points.all():
        check = recompute(point.result)
        assert check["same"] is True, check
        assert check["engine_then"] == check["engine_now"]


def test_a_tampered_input_is_found_by_recomputing(draft):
    result = draft.points.get(position=1).result
    result["inputs"][0]["value"] += 1e-6
    assert recompute(result)["same"] is False


def test_the_result_keeps_inputs_model_and_engine(draft):
    result = draft.points.get(position=1).result
    assert [i["name"] for i in result["inputs"]] == ["r", "d_r", "x_ref"]
    assert result["inputs"][1] == {
        "name": "d_r",
        "value": 0.0,
        "dist": "rectangular",
        "half_width": 0.00005,
    }
    assert result["model"] == "r + d_r - x_ref" and result["engine"]


def test_an_adjusted_instrument_has_as_found_and_as_left_points(draft, alice):
    with pytest.raises(ValidationError, match="only when the instrument is adjusted"):
        cal.calibration_set_point(
            calibration=draft,
            position=1,
            reference=draft.points.get(position=1).reference,
            readings=["100.0009", "100.0008"],
            phase=Phase.AS_FOUND,
            by=alice,
        )
    cal.calibration_set_conditions(
        calibration=draft,
        by=alice,
        temperature=Decimal("23"),
        humidity=Decimal("55"),
        adjustment=Adjustment.ADJUSTED,
    )
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="enter the as-found readings"):
        flow.calibration_submit(calibration=draft, by=alice)
    cal.calibration_set_point(
        calibration=draft,
        position=1,
        reference=draft.points.get(position=1).reference,
        readings=["100.0009", "100.0008"],
        phase=Phase.AS_FOUND,
        by=alice,
    )
    assert draft.points.filter(phase=Phase.AS_FOUND).count() == 1
    assert draft.points.filter(phase=Phase.AS_LEFT).count() == 2
    with pytest.raises(ValidationError, match="Remove the as-found readings"):
        cal.calibration_set_conditions(
            calibration=draft,
            by=alice,
            temperature=Decimal("23"),
            humidity=Decimal("55"),
            adjustment=Adjustment.NONE,
        )
    assert flow.calibration_submit(calibration=draft, by=alice).state == State.SUBMITTED


def test_the_environment_outside_the_procedures_limits_is_refused(draft, alice, procedure):
    procedure.temperature_min, procedure.temperature_max = Decimal("18"), Decimal("22")
    procedure.save()
    with pytest.raises(
        ValidationError, match=r"Temperature 23 °C is outside the procedure's limits 18 – 22 °C"
    ):
        flow.calibration_submit(calibration=draft, by=alice)
    with pytest.raises(ValidationError, match="Temperature 25.5 °C"):
        cal.calibration_set_conditions(
            calibration=draft, by=alice, temperature=Decimal("25.5"), humidity=Decimal("50")
        )
    cal.calibration_set_conditions(
        calibration=draft, by=alice, temperature=Decimal("21.5"), humidity=Decimal("50")
    )
    assert flow.calibration_submit(calibration=draft, by=alice).state == State.SUBMITTED


@pytest.mark.parametrize(
    ("status", "effective", "message"),
    [
        ("draft", dt.date(2000, 1, 1), "is draft: only an approved version can be used"),
        ("withdrawn", dt.date(2000, 1, 1), "is withdrawn"),
        ("approved", dt.date(2999, 1, 1), "takes effect on 01/01/2999"),
    ],
)
def test_only_an_approved_version_in_effect_can_be_used(
    balance, procedure, weights, alice, today, status, effective, message
):
    procedure.status, procedure.effective_on = status, effective
    procedure.save()
    with pytest.raises(ValidationError, match=message):
        cal.calibration_create(
            instrument=balance,
            procedure=procedure,
            by=alice,
            received_on=today,
            performed_on=today,
            temperature=Decimal("23"),
            humidity=Decimal("50"),
            standards=[weights],
        )


def test_a_calibration_keeps_the_version_it_used(draft, quinn, rita, alice):
    from calibration.procedures import procedure_approve, procedure_new_version

    v2 = procedure_new_version(procedure=draft.procedure, by=quinn, change_note="Five readings")
    procedure_approve(procedure=v2, by=quinn, effective_on=dt.date(2000, 1, 1))
    draft.refresh_from_db()
    assert (draft.procedure.version, draft.procedure.status) == (1, "withdrawn")
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(
        calibration=draft, by=rita, password=PASSWORD
    )  # by code: still authorised


def test_an_instrument_gets_its_range_from_the_procedure_and_keeps_its_own_changes(
    draft, alice, procedure
):
    spec = draft.instrument.ranges.get()
    assert (spec.procedure_code, spec.unit, spec.resolution) == (
        "QTHC-KL-01",
        "g",
        Decimal("0.0001"),
    )
    with pytest.raises(ValidationError, match="Say why"):
        cal.instrument_range_update(range=spec, by=alice, reason="", points=["50"])
    with pytest.raises(ValidationError, match="in progress has results computed with"):
        cal.instrument_range_update(
            range=spec, by=alice, reason="Class changed", tolerance_abs=Decimal("0.0003")
        )
    cal.instrument_range_update(
        range=spec, by=alice, reason="Customer asks for 50 g and 200 g", points=["50", "200"]
    )
    spec.refresh_from_db()
    assert spec.points == ["50", "200"]
    assert spec.history.first().history_change_reason == "Customer asks for 50 g and 200 g"
    with pytest.raises(ValidationError, match="is not a number"):
        cal.instrument_range_update(range=spec, by=alice, reason="typo", points=["5O"])
