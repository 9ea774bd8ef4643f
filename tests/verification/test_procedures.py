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
    tests["weighing"][2]["indication"] = "19.99"  # 2000 e: MPE 10 g; at 5 kg (500 e) 5 g
    rows = r76(tests)["tests"][0]["rows"]
    assert [r["mpe"] for r in rows] == ["0.005", "0.005", "0.01", "0.015"]


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


def test_the_loads_are_those_the_procedure_draws():
    tests = scale_readings()
    tests["weighing"][2]["load"] = "4"
    tests["eccentricity"][0]["load"] = "31"
    tests["discrimination"][1]["load"] = "30.000"  # the same number: fine
    found = messages(tests)
    assert "Weighing, row 3: the load must be 20 kg, as the procedure asks." in found
    assert "Eccentricity, row 1: the load must be 10 kg, as the procedure asks." in found
    assert "Discrimination" not in found


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
    assert "Repeatability, row 2: the load must be 15 kg, as the procedure asks." in messages(tests)


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
            ("Q1", "0.015625", "", "10", "10.1"),
            ("Q2", "0.025", "", "10", "10.1"),
            ("Q3", "2.5", "", "100", "97.5"),
        ]
    )
    assert cold["failed"] == ["flow_rates"]
    warm = water(
        [
            ("Q1", "0.015625", "", "10", "10.1"),
            ("Q2", "0.025", "", "10", "10.1"),
            ("Q3", "2.5", "40", "100", "97.5"),  # above 30 °C: 3 %
        ]
    )
    assert warm["passed"] is True


def test_a_flow_other_than_q1_is_refused():
    with pytest.raises(ValidationError) as refusal:
        water(
            [
                ("Q1", "0.01", "", "10", "10"),
                ("Q2", "0.025", "", "10", "10"),
                ("Q3", "2.5", "", "100", "100"),
            ]
        )
    assert refusal.value.messages == [
        "Errors at Q1, Q2 and Q3, row 1: the flow rate (m³/h) must be 0.015625, as the "
        "procedure asks."
    ]


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
        ("5", "1", "1.0"),
        ("5", "0.5L", "1.5"),
        ("5", "0.8C", "-1.5"),
        ("60", "1", "0.2"),
    ]
    results = meter(rows)
    assert [r["mpe"] for r in results["tests"][0]["rows"]] == ["1.5", "1", "1", "1.5", "1.5", "1"]
    assert results["passed"] is True
    assert meter([*rows[:4], ("5", "0.8C", "1.6"), rows[5]])["passed"] is False


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
    results = meter([(r["current"], r["power_factor"], "1.0") for r in rows], spec)
    assert [r["mpe"] for r in results["tests"][0]["rows"]] == ["1.5", "1", "1", "1", "1", "1"]
    assert results["passed"] is True


def test_an_r46_class_needs_its_currents():
    with pytest.raises(ValidationError, match="Imin and Itr"):
        p.blank_tests(p.R46, {"class": "B", "i_max": "60"})


# --- the procedure held: the rows are those the Recommendation asks ------------------------------


def test_a_30_kg_scale_weighed_only_at_small_loads_with_two_centre_readings_is_refused():
    tests = scale_readings()
    tests["weighing"] = [{"load": x, "indication": x} for x in ("0.2", "0.3", "0.4")]
    tests["eccentricity"] = [
        {"position": "centre", "load": "10", "indication": "10"},
        {"position": "centre", "load": "10", "indication": "10"},
    ]
    assert messages(tests) == "Eccentricity: at least 5 rows are needed, 2 given."
    tests["eccentricity"] = scale_readings()["eccentricity"]
    assert messages(tests) == "Weighing: the procedure asks for 4 rows, not 3."


def test_eccentricity_is_at_the_centre_and_the_four_quarters():
    tests = scale_readings()
    for row in tests["eccentricity"]:
        row["position"] = "centre"
    found = messages(tests)
    assert "Eccentricity, row 2: the position must be front-left, as the procedure asks." in found
    tests = scale_readings()
    tests["eccentricity"][0]["position"] = " Centre "  # the case and spaces do not matter
    assert r76(tests)["passed"] is True


def test_a_given_load_is_compared_as_a_number():
    tests = scale_readings()
    tests["weighing"][1] = {"load": "5.01", "indication": "5.02"}
    assert messages(tests) == "Weighing, row 2: the load must be 5 kg, as the procedure asks."
    tests["weighing"][1] = {"load": "5,000", "indication": "5.005"}
    assert r76(tests)["passed"] is True


def test_repeatability_takes_three_readings_and_six_for_class_ii():
    tests = scale_readings()
    tests["repeatability"] = tests["repeatability"][:2]
    assert "Repeatability: at least 3 rows are needed, 2 given." in messages(tests)
    spec = {"max": "6", "e": "0.0001", "class": "II", "unit": "kg"}
    blank = p.blank_tests(p.R76, spec)
    for rows in blank.values():
        for row in rows:
            row["indication"] = row["load"]
            if "after" in row:
                row["after"] = str(p.D(row["load"]) + p.D("0.0001"))
    assert r76(blank, spec=spec)["passed"] is True
    blank["repeatability"] = blank["repeatability"][:3]
    assert "Repeatability: the procedure asks for 6 rows, not 3." in messages(blank, spec=spec)


def test_a_water_meter_tested_three_times_at_q3_labelled_q1_is_refused():
    with pytest.raises(ValidationError) as refusal:
        water([("Q1", "2.5", "", "100", "100")] * 3)
    found = " | ".join(refusal.value.messages)
    assert "row 2: the test point must be Q2, as the procedure asks." in found
    assert "row 1: the flow rate (m³/h) must be 0.015625, as the procedure asks." in found
    assert "row 3: the flow rate" not in found  # Q3 is 2.5 m³/h


def test_a_class_b_meter_tested_three_times_at_imax_is_refused():
    with pytest.raises(ValidationError) as refusal:
        meter([("60", "1", "0.1")] * 3)
    assert refusal.value.messages == [
        "Errors at currents and power factors: at least 5 rows are needed, 3 given."
    ]
    with pytest.raises(ValidationError) as refusal:
        meter([("60", "1", "0.1")] * 6)
    found = " | ".join(refusal.value.messages)
    assert "row 1: the current (A) must be 0.25, as the procedure asks." in found
    assert "row 4: the power factor must be 0.5L, as the procedure asks." in found


def test_a_minimum_quantity_test_with_20_litres_is_refused():
    with pytest.raises(ValidationError) as refusal:
        dispenser([("40", "20.00", "20.00"), ("5", "20.00", "20.00")], ("5", "20.00", "20.00"))
    assert refusal.value.messages == [
        "Minimum measured quantity, row 1: the delivery must be of the minimum measured "
        "quantity, 2 … 2.2 L, not 20.00 L."
    ]


@pytest.mark.parametrize(
    ("smallest", "fits"),
    [
        (("5", "2.20", "2.21"), True),  # 1.1 MMQ: the most the vessel may hold
        (("5", "2.21", "2.21"), False),
        (("5", "1.98", "2.00"), True),  # stopped at the MMQ, short in the vessel: judged
        (("5", "1.90", "1.95"), False),  # neither shows the MMQ
    ],
)
def test_the_minimum_quantity_delivery_is_of_the_mmq(smallest, fits):
    if fits:
        assert dispenser([("40", "20", "20"), ("5", "20", "20")], smallest)["tests"][1]["rows"]
    else:
        with pytest.raises(ValidationError, match="must be of the minimum measured quantity"):
            dispenser([("40", "20", "20"), ("5", "20", "20")], smallest)


def test_a_dispenser_is_delivered_at_its_maximum_and_its_minimum_flow():
    # Qmax 40 L/min: one delivery at 32 L/min or more; Qmin 5 L/min: one at 6 L/min or less
    assert dispenser([("32", "20", "20"), ("6", "20", "20")])["passed"] is True
    with pytest.raises(ValidationError) as refusal:
        dispenser([("31.9", "20", "20"), ("6.1", "20", "20")])
    assert refusal.value.messages == [
        "Delivery at maximum and minimum flow: one delivery must be at the maximum flow rate, "
        "32 L/min (0.8 Qmax) or more.",
        "Delivery at maximum and minimum flow: one delivery must be at the minimum flow rate, "
        "6 L/min (1.2 Qmin) or less.",
    ]


def test_a_dispenser_needs_its_flow_rates():
    with pytest.raises(ValidationError, match="Give the maximum flow rate"):
        p.blank_tests(p.R117, {"class": "0.5", "mmq": "2", "q_min": "5"})


# --- numbers no reading can be ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1e9999999", "1e13", "-1e13", "1e-13", "1.0000000000000000000001", "0e999", "0E-999999"],
)
def test_an_absurd_reading_is_refused_naming_its_cell(value):
    tests = scale_readings()
    tests["weighing"][2]["indication"] = value
    found = messages(tests)
    assert found.startswith(f"Weighing, row 3: the indication “{value[:20]}")
    assert "is not a plausible reading" in found


@pytest.mark.parametrize("value", ["1e12", "-1e12", "1e-12", "12345.678901234567891", "0.000"])
def test_a_large_but_plausible_reading_is_judged(value):
    tests = scale_readings()
    tests["weighing"][2]["indication"] = value
    results = r76(tests)
    assert results["passed"] is False and len(results["tests"][0]["rows"][2]["error"]) < 40


@pytest.mark.parametrize(
    ("recommendation", "spec"),
    [
        (p.R76, {**SCALE_SPEC, "max": "1e999999999"}),
        (p.R76, {**SCALE_SPEC, "e": "1e-999999"}),
        (p.R117, {**DISPENSER, "mmq": "1e999999"}),
        (p.R49, {**WATER, "q3": "1e30"}),
        (p.R46, {**METER, "i_max": "1e999999999"}),
    ],
)
def test_an_absurd_characteristic_is_refused_naming_it(recommendation, spec):
    with pytest.raises(ValidationError, match="is not a plausible value"):
        p.blank_tests(recommendation, spec)
    with pytest.raises(ValidationError, match="is not a plausible value"):
        p.evaluate(recommendation, spec, "periodic", {})


def test_a_water_meter_reading_of_1e30_against_1e_30_is_refused():
    with pytest.raises(ValidationError) as refusal:
        water(
            [
                ("Q1", "0.015625", "", "1e-30", "1e30"),
                ("Q2", "0.025", "", "10", "10"),
                ("Q3", "2.5", "", "100", "100"),
            ]
        )
    found = " | ".join(refusal.value.messages)
    assert "Errors at Q1, Q2 and Q3, row 1: the volume by the standard (L) “1e-30”" in found
    assert "row 1: the volume indicated (L) “1e30” is not a plausible reading" in found


def test_readings_each_plausible_but_beyond_computing_are_refused_not_a_crash():
    # 10¹² L against 10⁻¹² L: the error in % has 29 digits before the point
    with pytest.raises(ValidationError) as refusal:
        water(
            [
                ("Q1", "0.015625", "", "1e-12", "1e12"),
                ("Q2", "0.025", "", "10", "10"),
                ("Q3", "2.5", "", "100", "100"),
            ]
        )
    assert refusal.value.messages == [
        "Errors at Q1, Q2 and Q3: the readings cannot be computed with (an error or a ratio too "
        "large): check them."
    ]
