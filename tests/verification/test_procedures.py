"""The tests each Recommendation asks, evaluated by hand-worked figures: pass, fail, the edges
(an error exactly equal to the MPE passes) and the bad input a page may send."""

import json

import pytest
from django.core.exceptions import ValidationError

from tests.verification.conftest import SCALE_SPEC, scale_readings
from verification import procedures as p

# --- OIML R 76: a 30 kg × 10 g class III scale ---------------------------------------------------
# Table 6, class III, e = 10 g: MPE 5 g up to 500 e = 5 kg, 10 g up to 2000 e = 20 kg, 15 g above.


def r76(tests, spec=SCALE_SPEC, kind="periodic"):
    return p.evaluate(p.R76, spec, kind, tests)


def test_the_blank_tests_of_a_30_kg_scale_hold_its_band_edges():
    blank = p.blank_tests(p.R76, SCALE_SPEC)
    assert [r["load"] for r in blank["weighing"]] == ["0.2", "5", "20", "30"]  # Min = 20 e
    assert {r["load"] for r in blank["eccentricity"]} == {"10"}  # Max/3
    assert [r["position"] for r in blank["eccentricity"]] == list(p.ECCENTRICITY_POSITIONS)
    assert [r["load"] for r in blank["repeatability"]] == ["15"] * 3  # class III: 3 readings
    assert [r["load"] for r in blank["discrimination"]] == ["0.2", "30"]
    assert all(r["indication"] == "" for rows in blank.values() for r in rows)


def test_the_blank_tests_of_a_class_ii_balance():
    # 6 kg × 0.1 g, class II: n = 60 000, Min = 50 e = 5 g, band edges 5 000 e and 20 000 e
    spec = {"max": "6", "e": "0.0001", "class": "II", "unit": "kg"}
    blank = p.blank_tests(p.R76, spec)
    assert [r["load"] for r in blank["weighing"]] == ["0.005", "0.5", "2", "6"]
    assert len(blank["repeatability"]) == 6  # classes I and II: 6 readings
    assert blank["eccentricity"][0]["load"] == "2"


def test_the_blank_tests_of_a_15_kg_shop_scale():
    spec = {"max": "15", "e": "0.005", "class": "III", "unit": "kg"}
    blank = p.blank_tests(p.R76, spec)
    assert [r["load"] for r in blank["weighing"]] == ["0.1", "2.5", "10", "15"]
    assert blank["eccentricity"][0]["load"] == "5"


def test_a_scale_within_every_mpe_passes_with_the_mpe_of_each_row():
    results = r76(scale_readings())
    assert results["passed"] is True and results["failed"] == []
    weighing = results["tests"][0]
    assert [(r["error"], r["mpe"], r["passed"]) for r in weighing["rows"]] == [
        ("0.00", "0.005", True),
        ("0.005", "0.005", True),  # 5 kg = 500 e: exactly the MPE, passes
        ("0.01", "0.01", True),  # 20 kg = 2000 e: exactly the MPE
        ("0.01", "0.015", True),
    ]
    repeatability = results["tests"][2]
    assert repeatability["summary"] == {"spread": "0.01", "mpe": "0.01", "spread_passed": True}
    assert json.loads(json.dumps(results)) == results


def test_one_gram_over_the_mpe_fails_the_weighing_and_the_instrument():
    tests = scale_readings()
    tests["weighing"][1]["indication"] = "5.006"  # 6 g at 5 kg, MPE 5 g
    results = r76(tests)
    assert results["passed"] is False
    assert results["failed"] == ["weighing"]
    assert results["tests"][0]["rows"][1]["passed"] is False


def test_just_above_a_band_edge_takes_the_larger_mpe():
    tests = scale_readings()
    tests["weighing"][1] = {"load": "5.01", "indication": "5.02"}  # 501 e: MPE 10 g
    assert r76(tests)["tests"][0]["rows"][1]["mpe"] == "0.01"
    assert r76(tests)["passed"] is True


def test_periodic_verification_uses_the_mpe_of_verification_not_in_service():
    assert p.IN_SERVICE_KINDS == frozenset()
    tests = scale_readings(passing=False)  # 20 g at 30 kg: 2 × 15 g in service would pass
    for kind in ("initial", "periodic", "after_repair", "mark_replaced"):
        results = r76(tests, kind=kind)
        assert results["in_service"] is False
        assert results["passed"] is False


def test_eccentricity_fails_on_one_corner():
    tests = scale_readings()
    tests["eccentricity"][3]["indication"] = "9.985"  # −15 g at 10 kg, MPE 10 g
    results = r76(tests)
    assert results["failed"] == ["eccentricity"]


def test_repeatability_fails_on_the_spread_though_each_error_passes():
    tests = scale_readings()
    tests["repeatability"] = [{"load": "15", "indication": i} for i in ("15.00", "15.01", "14.99")]
    test = r76(tests)["tests"][2]
    assert all(r["passed"] for r in test["rows"])
    assert test["summary"]["spread"] == "0.02" and test["summary"]["spread_passed"] is False
    assert test["passed"] is False


def test_discrimination_fails_when_the_indication_does_not_change():
    tests = scale_readings()
    tests["discrimination"][1]["after"] = "30.00"
    results = r76(tests)
    assert results["failed"] == ["discrimination"]
    row = results["tests"][3]["rows"][1]
    assert row["added"] == "0.014" and row["change"] == "0.00"  # 1.4 d = 14 g


def test_a_decimal_comma_is_read():
    tests = scale_readings()
    tests["weighing"][1] = {"load": "5", "indication": "5,005"}
    assert r76(tests)["tests"][0]["rows"][1]["error"] == "0.005"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"max": "60", "e": "0.002", "class": "III", "unit": "kg"}, "30000 is more than the 10000"),
        ({"max": "30", "e": "0.003", "class": "III", "unit": "kg"}, "must be 1, 2 or 5"),
        ({"max": "30", "e": "0.01", "class": "V", "unit": "kg"}, "must be one of I, II, III, IIII"),
        ({"max": "abc", "e": "0.01", "class": "III", "unit": "kg"}, "greater than zero"),
        ({"e": "0.01", "class": "III", "unit": "kg"}, "Give the Max"),
    ],
)
def test_a_specification_that_does_not_fit_is_refused_not_failed(spec, words):
    with pytest.raises(ValidationError) as refusal:
        r76(scale_readings(), spec=spec)
    assert words in " ".join(refusal.value.messages)


def messages(tests, spec=SCALE_SPEC):
    with pytest.raises(ValidationError) as refusal:
        r76(tests, spec=spec)
    return " | ".join(refusal.value.messages)


def test_bad_readings_name_the_test_and_the_row():
    tests = scale_readings()
    tests["weighing"][2]["indication"] = "20.0x"
    tests["eccentricity"][1]["indication"] = ""
    found = messages(tests)
    assert "Weighing, row 3: the indication must be a number, not “20.0x”." in found
    assert "Eccentricity, row 2: the indication is missing." in found


def test_loads_must_increase_and_stay_within_max():
    tests = scale_readings()
    tests["weighing"][2]["load"] = "4"
    tests["eccentricity"][0]["load"] = "31"
    found = messages(tests)
    assert "Weighing, row 3: the loads must increase" in found
    assert "Eccentricity, row 1: the load 31 kg is outside 0 … Max." in found


def test_the_wrong_shape_is_refused():
    assert "test by test" in messages([1, 2])
    tests = scale_readings()
    tests["weighing"] = "0.2, 5, 20"
    assert "Weighing: the rows are not in the expected form." in messages(tests)
    tests = scale_readings()
    tests["zero"] = []
    assert "“zero” is not a test of these rules." in messages(tests)


def test_too_few_rows_and_mixed_repeatability_loads_are_refused():
    tests = scale_readings()
    tests["weighing"] = tests["weighing"][:2]
    assert "Weighing: at least 3 rows are needed, 2 given." in messages(tests)
    tests = scale_readings()
    tests["repeatability"][1]["load"] = "14"
    assert "Repeatability: every reading is at the same load." in messages(tests)


def test_empty_rows_are_left_out():
    tests = scale_readings()
    tests["weighing"].append({"load": "", "indication": ""})
    assert len(r76(tests)["tests"][0]["rows"]) == 4


def test_a_type_without_rules_is_refused():
    with pytest.raises(ValidationError, match="no verification rules"):
        p.evaluate("other", {}, "periodic", {})


# --- OIML R 117: a class 0.5 fuel dispenser, MMQ 2 L, 5 … 40 L/min ---------------------------------
# At 20 L: MPE 0.5 % = 0.1 L. At the MMQ: Emin = 2 × 2 L × 0.5 % = 0.02 L governs (Table 2: 0.01 L).

DISPENSER = {"class": "0.5", "mmq": "2", "q_max": "40", "q_min": "5", "interval": "0.01"}


def dispenser(delivery, smallest=("5", "2.00", "2.02")):
    rows = [{"flow_rate": rate, "standard": std, "indication": ind} for rate, std, ind in delivery]
    rate, std, ind = smallest
    return p.evaluate(
        p.R117,
        DISPENSER,
        "periodic",
        {
            "delivery": rows,
            "minimum_quantity": [{"flow_rate": rate, "standard": std, "indication": ind}],
        },
    )


def test_the_blank_tests_of_a_dispenser():
    blank = p.blank_tests(p.R117, DISPENSER)
    assert [r["flow_rate"] for r in blank["delivery"]] == ["40", "5"]
    assert [r["flow_rate"] for r in blank["minimum_quantity"]] == ["5"]


def test_a_dispenser_at_the_edges_of_its_mpe_passes():
    results = dispenser([("40", "20.00", "20.10"), ("5", "20.00", "19.90")])
    delivery, smallest = results["tests"]
    assert [(r["error"], r["mpe"], r["error_percent"]) for r in delivery["rows"]] == [
        ("0.10", "0.1", "0.500"),
        ("-0.10", "0.1", "-0.500"),
    ]
    assert smallest["rows"][0]["mpe"] == "0.02"  # Emin
    assert smallest["rows"][0]["error"] == "0.02"
    assert results["passed"] is True


def test_a_dispenser_delivering_short_fails():
    results = dispenser([("40", "20.00", "20.11"), ("5", "20.00", "20.00")], ("5", "2.00", "2.03"))
    assert results["failed"] == ["delivery", "minimum_quantity"]


def test_a_flow_rate_outside_the_dispenser_range_is_refused():
    with pytest.raises(ValidationError, match="row 1: the flow rate 45 L/min is outside"):
        dispenser([("45", "20.00", "20.00"), ("5", "20.00", "20.00")])


def test_a_dispenser_whose_mmq_is_too_small_for_its_interval_is_refused():
    with pytest.raises(ValidationError, match="Emin"):
        p.blank_tests(p.R117, dict(DISPENSER, interval="0.02"))


# --- OIML R 49: a Q3 = 2.5 m³/h, R160, class 2 water meter ------------------------------------------
# Q1 = 0.015625 m³/h, Q2 = 0.025 m³/h. Lower zone 5 %; upper zone 2 % up to 30 °C, 3 % above.

WATER = {"q3": "2.5", "ratio": "160", "class": "2"}


def water(rows):
    keys = ("point", "flow_rate", "temperature", "standard", "indication")
    return p.evaluate(
        p.R49, WATER, "initial", {"flow_rates": [dict(zip(keys, r, strict=True)) for r in rows]}
    )


def test_the_blank_tests_of_a_water_meter_are_q1_q2_q3():
    rows = p.blank_tests(p.R49, WATER)["flow_rates"]
    assert [(r["point"], r["flow_rate"]) for r in rows] == [
        ("Q1", "0.015625"),
        ("Q2", "0.025"),
        ("Q3", "2.5"),
    ]


def test_a_water_meter_at_the_edges_of_each_zone_passes():
    results = water(
        [
            ("Q1", "0.015625", "", "10.000", "10.500"),  # +5 %: the lower-zone MPE
            ("Q2", "0.025", "", "10.000", "10.200"),  # Q2 is in the upper zone: 2 %
            ("Q3", "2.5", "", "100.0", "98.0"),
        ]
    )
    rows = results["tests"][0]["rows"]
    assert [(r["error_percent"], r["mpe_percent"]) for r in rows] == [
        ("5.000", "5.000"),
        ("2.000", "2.000"),
        ("-2.000", "2.000"),
    ]
    assert results["passed"] is True


def test_a_water_meter_over_the_upper_zone_mpe_fails_unless_the_water_is_warm():
    cold = water(
        [
            ("Q1", "0.016", "", "10", "10.1"),
            ("Q2", "0.026", "", "10", "10.1"),
            ("Q3", "2.5", "", "100", "97.5"),
        ]
    )
    assert cold["failed"] == ["flow_rates"]
    warm = water(
        [
            ("Q1", "0.016", "", "10", "10.1"),
            ("Q2", "0.026", "", "10", "10.1"),
            ("Q3", "2.5", "40", "100", "97.5"),  # above 30 °C: 3 %
        ]
    )
    assert warm["passed"] is True


def test_a_flow_below_q1_is_refused():
    with pytest.raises(ValidationError, match="row 1: the flow rate 0.01 is below"):
        water(
            [
                ("Q1", "0.01", "", "10", "10"),
                ("Q2", "0.025", "", "10", "10"),
                ("Q3", "2.5", "", "100", "100"),
            ]
        )


def test_a_water_meter_off_the_series_is_refused():
    with pytest.raises(ValidationError, match="R 10 series"):
        p.blank_tests(p.R49, dict(WATER, ratio="150"))


# --- OIML R 46 class B and IEC 62053-21 class 1 electricity meters ---------------------------------

METER = {"class": "B", "i_min": "0.25", "i_tr": "0.5", "i_max": "60"}


def meter(rows, spec=METER):
    keys = ("current", "power_factor", "error")
    return p.evaluate(
        p.R46, spec, "periodic", {"accuracy": [dict(zip(keys, r, strict=True)) for r in rows]}
    )


def test_the_blank_tests_of_an_r46_meter():
    rows = p.blank_tests(p.R46, METER)["accuracy"]
    assert [(r["current"], r["power_factor"]) for r in rows] == [
        ("0.25", "1"),
        ("0.5", "1"),
        ("5", "1"),
        ("5", "0.5L"),
        ("5", "0.8C"),
        ("60", "1"),
    ]


def test_a_class_b_meter_at_its_edges_passes_and_over_fails():
    rows = [
        ("0.25", "1", "1.5"),  # below Itr: 1.5 %
        ("0.5", "1", "-1.0"),  # at Itr: the upper range, 1.0 %
        ("5", "0.5L", "1.5"),
        ("60", "1", "0.2"),
    ]
    results = meter(rows)
    assert [r["mpe"] for r in results["tests"][0]["rows"]] == ["1.5", "1", "1.5", "1"]
    assert results["passed"] is True
    assert meter([*rows[:3], ("5", "0.8C", "1.6")])["passed"] is False


def test_a_power_factor_r46_gives_no_mpe_for_is_refused():
    with pytest.raises(ValidationError, match="row 1: R 46 gives a base MPE below Itr"):
        meter([("0.4", "0.5L", "0"), ("5", "1", "0"), ("60", "1", "0")])


def test_an_iec_class_1_meter():
    spec = {"class": "1", "i_ref": "5", "i_max": "60"}
    rows = p.blank_tests(p.R46, spec)["accuracy"]
    assert [(r["current"], r["power_factor"]) for r in rows] == [
        ("0.25", "1"),
        ("0.5", "1"),
        ("5", "1"),
        ("5", "0.5L"),
        ("5", "0.8C"),
        ("60", "1"),
    ]
    results = meter([("0.25", "1", "1.5"), ("0.5", "1", "1.0"), ("5", "0.5L", "-1.0")], spec)
    assert [r["mpe"] for r in results["tests"][0]["rows"]] == ["1.5", "1", "1"]
    assert results["passed"] is True


def test_an_r46_class_needs_its_currents():
    with pytest.raises(ValidationError, match="Imin and Itr"):
        p.blank_tests(p.R46, {"class": "B", "i_max": "60"})
