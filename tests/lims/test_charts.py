"""Server-rendered SVG charts: drift of a standard, control chart of its checks, errors on a
certificate. Each chart is parsed back as XML and its geometry read from the elements."""

import datetime as dt
import doctest
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lims import charts
from lims.charts import (
    ControlPoint,
    DriftPoint,
    ErrorPoint,
    Prediction,
    bar_chart,
    control_chart,
    drift_chart,
    error_chart,
    format_number,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"

# A 20 g E2 weight calibrated every two years (conventional mass, g).
WEIGHT = [
    (dt.date(2016, 4, 12), Decimal("20.0021"), Decimal("0.0030")),
    (dt.date(2018, 3, 30), Decimal("20.0030"), Decimal("0.0025")),
    (dt.date(2020, 5, 4), Decimal("20.0042"), Decimal("0.0025")),
    (dt.date(2022, 4, 20), Decimal("20.0049"), Decimal("0.0020")),
    (dt.date(2024, 4, 2), Decimal("20.0061"), Decimal("0.0020")),
]
# Monthly checks of a pressure standard (kPa); limits 100.000 ± 0.030.
CHECKS = [
    (dt.date(2024, 1, 8), Decimal("100.004")),
    (dt.date(2024, 2, 5), Decimal("100.030")),  # on the UCL: in control
    (dt.date(2024, 3, 4), Decimal("100.031")),  # above the UCL
    (dt.date(2024, 4, 1), Decimal("99.970")),  # on the LCL: in control
    (dt.date(2024, 5, 6), Decimal("99.9699")),  # below the LCL
    (dt.date(2024, 6, 3), Decimal("99.990")),
]
LIMITS = {"centre": Decimal("100.000"), "ucl": Decimal("100.030"), "lcl": Decimal("99.970")}
# A 0-20 bar pressure gauge: nominal, error, U, MPE.
GAUGE = [
    (0, Decimal("0.00"), Decimal("0.05"), Decimal("0.25")),
    (5, Decimal("0.04"), Decimal("0.05"), Decimal("0.25")),
    (10, Decimal("0.10"), Decimal("0.06"), Decimal("0.5")),
    (15, Decimal("-0.05"), Decimal("0.06"), Decimal("0.5")),
    (20, Decimal("0.20"), Decimal("0.08"), Decimal("0.5")),
]


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def with_class(root, name):
    return [e for e in root.iter() if name in e.get("class", "").split()]


def marker_y(point):
    (marker,) = with_class(point, "marker")
    if marker.tag == f"{SVG}circle":
        return float(marker.get("cy"))
    return float(marker.get("y")) + float(marker.get("height")) / 2


def tick_values(root, axis="ytick"):
    """(value, pixel) of each labelled tick, read back through the default number format."""
    ticks = []
    for tick in with_class(root, axis):
        text = tick.find(f"{SVG}text")
        line = tick.find(f"{SVG}line")
        if text is not None:
            value = Decimal(text.text.replace("−", "-"))
            ticks.append((value, float(line.get("y1" if axis == "ytick" else "x1"))))
    return ticks


def x_labels(root):
    return [text.text for tick in with_class(root, "xtick") for text in tick.iter(f"{SVG}text")]


def y_of(root):
    """The value → pixel map of the y axis, rebuilt from its first and last tick."""
    (v0, p0), *_, (v1, p1) = tick_values(root)
    return lambda v: p0 + float((Decimal(v) - v0) / (v1 - v0)) * (p1 - p0)


def drift(**kw):
    return drift_chart(WEIGHT, unit="g", **kw)


def test_it_writes_an_svg_document_with_a_view_box_and_accessible_texts():
    for svg in (
        drift(),
        control_chart(CHECKS, unit="kPa", **LIMITS),
        error_chart(GAUGE, unit="bar"),
    ):
        root = parse(svg)
        assert root.get("viewBox") == "0 0 640 320"
        assert (root.get("width"), root.get("height")) == ("640", "320")
        assert root.get("role") == "img"
        assert root[0].tag == f"{SVG}title" and root[1].tag == f"{SVG}desc"
        assert root.get("font-family") == "DejaVu Sans, sans-serif"


def test_it_uses_nothing_a_pdf_renderer_or_a_page_could_trip_on():
    for svg in (
        drift(),
        control_chart(CHECKS, unit="kPa", **LIMITS),
        error_chart(GAUGE, unit="bar"),
    ):
        for forbidden in ("<script", "<style", "style=", "href", " id=", "var(", "url("):
            assert forbidden not in svg


def test_it_draws_one_marker_and_one_error_bar_per_point():
    root = parse(drift())
    points = with_class(root, "point")
    assert len(points) == len(WEIGHT)
    assert all(len(with_class(p, "marker")) == 1 for p in points)
    assert len(with_class(root, "ebar")) == len(WEIGHT)

    root = parse(error_chart(GAUGE, unit="bar"))
    assert len(with_class(root, "point")) == len(GAUGE)
    assert len(with_class(root, "ebar")) == len(GAUGE)

    root = parse(control_chart(CHECKS, unit="kPa", **LIMITS))
    assert len(with_class(root, "point")) == len(CHECKS)
    assert len(with_class(root, "marker")) == len(CHECKS)


def test_a_larger_value_is_drawn_higher():
    root = parse(drift())
    ys = [marker_y(p) for p in with_class(root, "point")]
    assert ys == sorted(ys, reverse=True)  # the weight gains mass every time
    assert all(a > b for a, b in zip(ys, ys[1:], strict=False))


def test_the_points_sit_where_the_axis_says():
    root = parse(drift())
    y = y_of(root)
    for point, (_, value, _) in zip(with_class(root, "point"), WEIGHT, strict=True):
        assert marker_y(point) == pytest.approx(y(value), abs=0.02)


def test_an_error_bar_spans_value_minus_U_to_value_plus_U():
    root = parse(drift())
    y = y_of(root)
    for bar, (_, value, U) in zip(with_class(root, "ebar"), WEIGHT, strict=True):
        move = bar.get("d").split("M")[1]  # "x y_low V y_high"
        low, high = move.split(" ")[1].split("V")
        assert float(low) == pytest.approx(y(value - U), abs=0.02)
        assert float(high) == pytest.approx(y(value + U), abs=0.02)


def test_the_tolerance_band_spans_exactly_from_lower_to_upper():
    root = parse(drift(lower=Decimal("19.995"), upper="20.0085"))
    y = y_of(root)
    (band,) = with_class(root, "band")
    top, height = float(band.get("y")), float(band.get("height"))
    assert top == pytest.approx(y("20.0085"), abs=0.02)
    assert top + height == pytest.approx(y("19.995"), abs=0.02)
    (upper,) = with_class(root, "upper")
    assert upper.get("stroke-dasharray")  # dashed: it reads in black and white
    assert float(upper.get("y1")) == pytest.approx(y("20.0085"), abs=0.02)


def test_a_band_open_on_one_side_runs_to_the_edge_of_the_plot():
    root = parse(drift(upper=Decimal("20.010")))
    (frame,) = with_class(root, "frame")
    bottom = float(frame.get("y")) + float(frame.get("height"))
    (band,) = with_class(root, "band")
    assert float(band.get("y")) + float(band.get("height")) == pytest.approx(bottom, abs=0.02)
    assert len(with_class(root, "limit")) == 1

    root = parse(drift(lower=Decimal("19.990")))
    (frame,) = with_class(root, "frame")
    (band,) = with_class(root, "band")
    assert float(band.get("y")) == pytest.approx(float(frame.get("y")), abs=0.02)


def test_out_of_control_points_are_exactly_those_outside_the_control_limits():
    root = parse(control_chart(CHECKS, unit="kPa", **LIMITS))
    points = with_class(root, "point")
    out = [p for p in points if "out" in p.get("class").split()]
    assert [points.index(p) for p in out] == [2, 4]  # 100.030 and 99.970 sit on the limits
    for p in out:
        (marker,) = with_class(p, "marker")
        assert marker.tag == f"{SVG}rect"  # a square, not a circle: it shows in black and white
    assert all(with_class(p, "marker")[0].tag == f"{SVG}circle" for p in points if p not in out)


def test_a_control_chart_draws_and_names_every_limit_it_is_given():
    root = parse(control_chart(CHECKS, unit="kPa", uwl="100.020", lwl="99.980", **LIMITS))
    keys = {c for e in with_class(root, "limit") for c in e.get("class").split()} - {"limit"}
    assert keys == {"ucl", "lcl", "cl", "uwl", "lwl"}
    names = [e.text for e in with_class(root, "limit-label")]
    assert sorted(names) == sorted(
        ["UCL 100.030", "UWL 100.020", "CL 100.000", "LWL 99.980", "LCL 99.970"]
    )
    y = y_of(root)
    (ucl,) = with_class(root, "ucl")
    assert float(ucl.get("y1")) == pytest.approx(y("100.030"), abs=0.02)


def test_the_error_band_steps_with_the_mpe_and_breaks_where_there_is_none():
    root = parse(error_chart(GAUGE, unit="bar"))
    y = y_of(root)
    (band,) = with_class(root, "band")
    ys = sorted({round(float(xy.split(",")[1]), 2) for xy in band.get("points").split()})
    expected = sorted(round(y(v), 2) for v in ("0.5", "0.25", "-0.25", "-0.5"))
    assert ys == pytest.approx(expected, abs=0.02)

    gap = [*GAUGE[:2], (10, Decimal("0.1"), Decimal("0.06"), None), *GAUGE[3:]]
    root = parse(error_chart(gap, unit="bar"))
    assert len(with_class(root, "band")) == 2
    assert len(with_class(root, "point")) == len(gap)


def test_it_escapes_every_text():
    nasty = 'W-17 <E2> & "co" \x00\x0b'
    svg = drift(title=nasty, labels={"x": "<&>", "value": "a&b"})
    root = parse(svg)
    assert root.find(f"{SVG}title").text == 'W-17 <E2> & "co" '
    texts = list(root.itertext())
    assert "<&>" in texts and "a&b" in texts
    parse(control_chart(CHECKS, unit="<kPa>", title="<&>", **LIMITS))
    parse(error_chart(GAUGE, unit="&", title="<&>", labels={"tolerance": "<MPE>"}))


def test_it_writes_the_same_bytes_for_the_same_input():
    kw = {"nominal": 20, "lower": "19.990", "upper": "20.010"}
    kw["prediction"] = (dt.date(2016, 4, 12), "20.002", dt.date(2027, 6, 1), "20.010")
    kw["crossing"] = dt.date(2027, 6, 1)
    assert drift(**kw) == drift(**kw)
    assert control_chart(CHECKS, unit="kPa", **LIMITS) == control_chart(
        CHECKS, unit="kPa", **LIMITS
    )
    assert error_chart(GAUGE, unit="bar") == error_chart(GAUGE, unit="bar")


def test_it_takes_dataclasses_as_well_as_tuples():
    assert drift_chart([DriftPoint(*p) for p in WEIGHT], unit="g") == drift()
    points = [ControlPoint(*p) for p in CHECKS]
    assert control_chart(points, unit="kPa", **LIMITS) == control_chart(
        CHECKS, unit="kPa", **LIMITS
    )
    assert error_chart([ErrorPoint(*p) for p in GAUGE], unit="bar") == error_chart(
        GAUGE, unit="bar"
    )


def test_a_prediction_and_its_crossing_are_drawn_on_an_axis_that_reaches_them():
    prediction = Prediction(dt.date(2016, 4, 12), "20.002", dt.date(2027, 6, 1), "20.010")
    root = parse(drift(upper="20.010", prediction=prediction, crossing=dt.date(2027, 6, 1)))
    (line,) = with_class(root, "prediction")
    assert line.get("stroke-dasharray")
    y = y_of(root)
    assert float(line.get("y2")) == pytest.approx(y("20.010"), abs=0.02)
    (frame,) = with_class(root, "frame")
    assert float(line.get("x2")) < float(frame.get("x")) + float(frame.get("width"))
    (crossing,) = with_class(root, "crossing")
    assert "2027-06-01" in "".join(crossing.itertext())
    assert {"2026", "2027"} & set(x_labels(root))


@pytest.mark.parametrize(
    "chart",
    [
        lambda pts: drift_chart(pts, unit="g"),
        lambda pts: control_chart([p[:2] for p in pts], unit="g", centre=1, ucl=2, lcl=0),
    ],
)
@pytest.mark.parametrize(
    "points",
    [
        [(dt.date(2024, 3, 5), Decimal("1.000"), Decimal("0.001"))],  # one point
        [(dt.date(2020, 1, 1), 5.0, 0.1), (dt.date(2024, 1, 1), 5.0, 0.1)],  # all equal
        [(dt.date(2020, 1, 1), 5, 0), (dt.date(2024, 1, 1), 0, 0)],  # U = 0
        [(dt.date(2024, 3, 5), 1e-6, 2e-9), (dt.date(2024, 3, 5), 1.001e-6, 0)],  # one day
        [(dt.date(2020, 1, 1), 1e6, 1e-3), (dt.date(2021, 1, 1), 1e6 + 0.004, 1e-3)],
        [(dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC), "0", None)],  # datetime, no U
    ],
)
def test_the_edge_cases_render(chart, points):
    root = parse(chart(points))
    assert len(with_class(root, "point")) == len(points)
    assert len(tick_values(root)) >= 2
    assert with_class(root, "xtick")
    ys = [marker_y(p) for p in with_class(root, "point")]
    (frame,) = with_class(root, "frame")
    top, height = float(frame.get("y")), float(frame.get("height"))
    assert all(top <= y <= top + height for y in ys)


def test_values_equal_still_get_an_axis_with_height():
    root = parse(drift_chart([(dt.date(2020, 1, 1), 0, 0)] * 3, unit="g"))
    (v0, p0), *_, (v1, p1) = tick_values(root)
    assert v1 > v0 and p1 < p0


def test_a_zero_error_is_drawn_without_a_bar():
    root = parse(drift_chart([(dt.date(2020, 1, 1), 1, 0), (dt.date(2021, 1, 1), 1, 1)], unit="g"))
    assert len(with_class(root, "point")) == 2
    assert len(with_class(root, "ebar")) == 1


def test_a_magnitude_of_a_million_resolves_a_thousandth():
    points = [(dt.date(2020, 1, 1), "1000000.000", 0), (dt.date(2021, 1, 1), "1000000.004", 0)]
    root = parse(drift_chart(points, unit="Pa"))
    low, high = (marker_y(p) for p in with_class(root, "point"))
    assert low - high > 100  # four thousandths fill most of the plot


@pytest.mark.parametrize("kind", ["drift", "control", "error"])
def test_no_points_give_an_empty_frame_that_says_so(kind):
    svg = {
        "drift": lambda: drift_chart([], unit="g", upper=1),
        "control": lambda: control_chart([], unit="g", centre=0, ucl=1, lcl=-1),
        "error": lambda: error_chart([], unit="g", labels={"no_data": "Không có dữ liệu"}),
    }[kind]()
    root = parse(svg)
    assert not with_class(root, "point")
    assert len(with_class(root, "frame")) == 1
    (text,) = with_class(root, "no-data")
    assert text.text == ("Không có dữ liệu" if kind == "error" else "No data")


def test_it_writes_ticks_and_labels_with_the_callers_formatters():
    seen = []

    def vietnamese(x):
        seen.append(x)
        return format(x, "f").replace(".", ",")

    labels = {"x": "Ngày hiệu chuẩn", "y": "Khối lượng", "tolerance": "Dung sai"}
    root = parse(
        drift(
            lower="19.99",
            number=vietnamese,
            labels=labels,
            date_label=lambda d, g: f"{d.month:02d}/{d.year}" if g == "month" else str(d.year),
        )
    )
    assert all(isinstance(x, Decimal) for x in seen)
    texts = list(root.itertext())
    assert "20,000" in texts and "Ngày hiệu chuẩn" in texts and "Khối lượng (g)" in texts
    assert "Dung sai" in texts and "Calibrated value ± U" in texts  # a default fills the gap


def test_the_y_ticks_of_a_chart_are_nice_numbers():
    for svg in (
        drift(),
        control_chart(CHECKS, unit="kPa", **LIMITS),
        error_chart(GAUGE, unit="bar"),
    ):
        values = [v for v, _ in tick_values(parse(svg))]
        step = values[1] - values[0]
        assert step.normalize().as_tuple().digits in ((1,), (2,), (5,))
        assert all(b - a == step for a, b in zip(values, values[1:], strict=False))
        assert all((v / step) == (v / step).to_integral_value() for v in values)


def test_dates_tick_by_year_over_years_and_by_month_over_months():
    years = x_labels(parse(drift()))
    assert years == ["2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024"]
    months = x_labels(parse(control_chart(CHECKS, unit="kPa", **LIMITS)))
    assert months and all(len(t) == 7 and t[4] == "-" for t in months)


@given(
    st.decimals(min_value=-1e7, max_value=1e7, allow_nan=False, places=7),
    st.decimals(min_value=Decimal("1e-7"), max_value=1e7, allow_nan=False, places=7),
    st.integers(min_value=2, max_value=10),
)
def test_nice_ticks_are_multiples_of_one_two_or_five_inside_the_range(lo, span, max_ticks):
    hi = lo + span
    ticks = nice_ticks(lo, hi, max_ticks)
    assert 1 <= len(ticks) <= max_ticks
    assert all(lo <= t <= hi for t in ticks)
    if len(ticks) > 1:
        step = ticks[1] - ticks[0]
        assert step.normalize().as_tuple().digits in ((1,), (2,), (5,))
        assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False))
        assert all(t % step == 0 for t in ticks)


def test_numbers_print_without_float_noise():
    assert format_number(0.1 + 0.2) == "0.3"
    assert format_number(-1e-6) == "−0.000001"
    assert format_number(1e6) == "1000000"
    assert format_number(Decimal("20.0050")) == "20.0050"


def test_it_refuses_inputs_that_make_no_sense():
    with pytest.raises(ValueError, match="above"):
        drift(lower=2, upper=1)
    with pytest.raises(ValueError, match="negative"):
        drift_chart([(dt.date(2020, 1, 1), 1, -0.1)], unit="g")
    with pytest.raises(ValueError, match="finite"):
        drift_chart([(dt.date(2020, 1, 1), float("nan"), 0)], unit="g")
    with pytest.raises(ValueError, match="above"):
        control_chart(CHECKS, unit="kPa", centre=0, ucl=-1, lcl=1)


def test_its_examples_run():
    assert doctest.testmod(charts).failed == 0


def test_it_does_not_import_django():
    code = "import sys, lims.charts; print(any(m.startswith('django') for m in sys.modules))"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "False"


def test_a_control_chart_before_its_limits_are_set_draws_the_checks_and_no_limit():
    root = parse(control_chart(CHECKS, unit="kPa"))
    assert len(with_class(root, "point")) == len(CHECKS)
    assert not with_class(root, "out")
    assert not with_class(root, "limit")
    with pytest.raises(ValueError, match="both control limits or neither"):
        control_chart(CHECKS, unit="kPa", ucl="100.03")


# --- Bar charts ---------------------------------------------------------------------------------

# Instruments verified in a year: passed and failed, by type.
TYPES = ["Cân đồng hồ lò xo", "Cân điện tử", "Cột đo xăng dầu", "Công tơ điện xoay chiều 1 pha"]
PASSED = [120, 45, 30, 0]
FAILED = [8, 2, 1, 0]


def bars(root):
    """(category · series title, rectangle) of each bar, in order."""
    out = []
    for bar in with_class(root, "bar"):
        rects = with_class(bar, "segment")
        out.append((bar.find(f"{SVG}title").text, rects[0] if rects else None))
    return out


def test_a_bar_stands_on_zero_and_reaches_its_value_on_the_axis():
    root = parse(bar_chart(TYPES, [("Đạt", PASSED), ("Không đạt", FAILED)]))
    y = y_of(root)
    drawn = bars(root)
    assert len(drawn) == 2 * len(TYPES)
    values = [v for pair in zip(PASSED, FAILED, strict=True) for v in pair]
    for (title, rect), value in zip(drawn, values, strict=True):
        assert title.endswith(f": {value}")
        if value == 0:
            assert rect is None  # nothing to draw, the title still says 0
            continue
        top, bottom = float(rect.get("y")), float(rect.get("y")) + float(rect.get("height"))
        assert bottom == pytest.approx(y(0), abs=0.01)
        assert top == pytest.approx(y(value), abs=0.01)


def test_stacked_bars_add_up_to_the_total_written_above_them():
    root = parse(bar_chart(TYPES, [("Đạt", PASSED), ("Không đạt", FAILED)], stacked=True))
    y = y_of(root)
    drawn = bars(root)
    for j, (p, f) in enumerate(zip(PASSED, FAILED, strict=True)):
        (_, low), (_, high) = drawn[2 * j], drawn[2 * j + 1]
        if p:
            assert float(low.get("y")) + float(low.get("height")) == pytest.approx(y(0), abs=0.01)
        if f:
            assert float(high.get("y")) == pytest.approx(y(p + f), abs=0.01)
            assert float(high.get("y")) + float(high.get("height")) == pytest.approx(y(p), abs=0.01)
    totals = [t.text for t in with_class(root, "total")]
    assert totals == [str(p + f) for p, f in zip(PASSED, FAILED, strict=True)]


def test_counts_get_whole_number_ticks_from_zero():
    root = parse(bar_chart(["a", "b"], [("n", [1, 2])]))
    values = [v for v, _ in tick_values(root)]
    assert values[0] == 0 and all(v == int(v) for v in values)
    root = parse(bar_chart(["a", "b"], [("n", [0, 0])]))
    assert [v for v, _ in tick_values(root)] == [0, 1]


def test_each_series_is_told_apart_by_hatching_as_well_as_colour():
    root = parse(bar_chart(TYPES, [("Đạt", PASSED), ("Không đạt", FAILED)]))
    first, second = ({r.get("fill") for _, r in bars(root)[i::2] if r is not None} for i in (0, 1))
    assert len(first) == len(second) == 1 and first != second
    for bar in with_class(root, "bar")[1::2]:
        if with_class(bar, "segment"):
            (hatch,) = with_class(bar, "hatch")
            rect = with_class(bar, "segment")[0]
            x0, y0 = float(rect.get("x")), float(rect.get("y"))
            x1, y1 = x0 + float(rect.get("width")), y0 + float(rect.get("height"))
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", hatch.get("d"))]
            xs, ys = numbers[0::2], numbers[1::2]
            assert all(x0 - 0.01 <= x <= x1 + 0.01 for x in xs)  # hatching stays in the bar
            assert all(y0 - 0.01 <= v <= y1 + 0.01 for v in ys)
    assert not any(with_class(bar, "hatch") for bar in with_class(root, "bar")[0::2])
    legend = with_class(root, "legend-item")
    assert [item.find(f"{SVG}text").text for item in legend] == ["Đạt", "Không đạt"]


def test_long_category_names_are_wrapped_not_dropped():
    root = parse(bar_chart(TYPES, [("n", PASSED)], width=420))
    shown = [
        " ".join(t.text for t in tick.iter(f"{SVG}text")) for tick in with_class(root, "xtick")
    ]
    assert shown == TYPES


def test_a_bar_chart_is_the_same_bytes_escapes_its_texts_and_refuses_nonsense():
    kw = {"title": '<Báo cáo> & "2026"', "stacked": True}
    svg = bar_chart(["<a>", "b&c"], [("x<y", [1, 2]), ("z", [3, 4])], **kw)
    assert svg == bar_chart(["<a>", "b&c"], [("x<y", [1, 2]), ("z", [3, 4])], **kw)
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<Báo cáo> & "2026"'
    for forbidden in ("<script", "<style", "style=", "href", " id=", "var(", "url("):
        assert forbidden not in svg
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart(["a", "b", "c"], [("n", [1, 2])])
    with pytest.raises(ValueError, match="negative"):
        bar_chart(["a"], [("n", [-1])], stacked=True)
    with pytest.raises(ValueError, match="number"):
        bar_chart(["a"], [("n", ["many"])])


@pytest.mark.parametrize("value", ["1e999", "1e31", "-1e100", "1e-999999", "0E-999999", "0E+99"])
def test_a_bar_too_large_or_too_small_to_draw_is_a_value_error(value):
    with pytest.raises(ValueError, match="a bar must be zero or between 1e-30 and 1e30"):
        bar_chart(["a"], [("P", [value])])


def test_bars_up_to_1e30_are_drawn():
    root = parse(bar_chart(["a", "b", "c"], [("P", ["1e30", "1e-30", "0"])]))
    assert len(with_class(root, "bar")) == 3


def test_no_categories_give_an_empty_frame_that_says_so():
    root = parse(bar_chart([], [("n", [])], labels={"no_data": "Không có dữ liệu"}))
    assert not with_class(root, "bar")
    (text,) = with_class(root, "no-data")
    assert text.text == "Không có dữ liệu"
