"""Charts drawn on the server as inline SVG, for web pages and for certificate PDFs.

Pure Python, no Django: the pages and the PDF renderer call the same functions. The output is
plain SVG 1.1 with presentation attributes only (no CSS, no script, no ids, no external
references), DejaVu Sans, a ``<title>`` and ``<desc>`` for screen readers, and the same bytes for
the same input. Every band and limit line has a dash pattern as well as a colour, so a chart
still reads when printed in black and white.

The caller passes texts already translated (``labels``), a ``number`` formatter that receives a
:class:`~decimal.Decimal` (a tick comes quantised to the tick step, e.g. ``Decimal("1.50")``; a
data value as entered) and a ``date_label(date, granularity)`` formatter. The defaults write a
decimal point and ISO dates.

Each point is a ``<g class="point">`` holding a ``<title>`` (a tooltip in browsers), its error
bar ``class="ebar"`` (only when U > 0) and its marker ``class="marker"``; an out-of-control
check is ``<g class="point out">``. Bands are ``class="band"``, their edges ``class="limit …"``.

>>> import datetime as dt
>>> svg = drift_chart([(dt.date(2020, 3, 2), "10.0012", "0.0030")], unit="g", upper=10.005)
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.count('class="point"')
(True, 1)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation, localcontext

Num = Decimal | float | int | str
NumberFormat = Callable[[Decimal], str]
DateFormat = Callable[[dt.date, str], str]
Swatch = Callable[[float, float], list[str]]

DRIFT_LABELS = {
    "x": "Calibration date",
    "y": "Value",
    "value": "Calibrated value ± U",
    "tolerance": "Tolerance",
    "nominal": "Nominal value",
    "prediction": "Drift prediction",
    "crossing": "Predicted crossing",
    "no_data": "No data",
}
CONTROL_LABELS = {
    "x": "Check date",
    "y": "Value",
    "value": "Check value",
    "out": "Out of control",
    "centre": "Centre line",
    "limits": "Control limits",
    "warning": "Warning limits",
    "cl": "CL",
    "ucl": "UCL",
    "lcl": "LCL",
    "uwl": "UWL",
    "lwl": "LWL",
    "no_data": "No data",
}
ERROR_LABELS = {
    "x": "Nominal value",
    "y": "Error",
    "value": "Error ± U",
    "tolerance": "Maximum permissible error",
    "no_data": "No data",
}


@dataclass(frozen=True)
class DriftPoint:
    """One calibration of a standard: its date, the value (or correction) and its expanded U."""

    date: dt.date
    value: Num
    U: Num | None = None


@dataclass(frozen=True)
class ControlPoint:
    """One intermediate check: its date and the value found."""

    date: dt.date
    value: Num


@dataclass(frozen=True)
class ErrorPoint:
    """One calibration point: nominal value, error, expanded U and ± MPE (None: no limit)."""

    nominal: Num
    error: Num
    U: Num | None = None
    tolerance: Num | None = None


@dataclass(frozen=True)
class Prediction:
    """A straight drift line from (start, start_value) to (end, end_value)."""

    start: dt.date
    start_value: Num
    end: dt.date
    end_value: Num


# --- numbers, ticks and dates ------------------------------------------------------------------


def _dec(x: Num, what: str = "a value") -> Decimal:
    """A finite Decimal; a float is read through its shortest repr (0.1 is 0.1)."""
    if isinstance(x, bool):
        raise ValueError(f"{what} must be a number, not {x!r}")
    try:
        d = x if isinstance(x, Decimal) else Decimal(repr(x) if isinstance(x, float) else str(x))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{what} must be a number, not {x!r}") from None
    if not d.is_finite():
        raise ValueError(f"{what} must be finite, not {x!r}")
    return d


def _opt(x: Num | None, what: str) -> Decimal | None:
    return None if x is None else _dec(x, what)


def _uncertainty(x: Num | None) -> Decimal:
    U = _opt(x, "U") or Decimal(0)
    if U < 0:
        raise ValueError(f"U must not be negative, not {x!r}")
    return U


def _day(d: dt.date) -> dt.date:
    if not isinstance(d, dt.date):
        raise ValueError(f"a date is needed, not {d!r}")
    return d.date() if isinstance(d, dt.datetime) else d


def format_number(x: Num) -> str:
    """Positional notation, a true minus sign, no binary noise from floats.

    >>> format_number(Decimal("-0.0020")), format_number(0.1 + 0.2), format_number(1e-7)
    ('−0.0020', '0.3', '0.0000001')
    >>> format_number(Decimal("1.5E+6")), format_number(Decimal("-0.0"))
    ('1500000', '0.0')
    """
    d = Decimal(f"{x:.12g}") if isinstance(x, float) else _dec(x)
    text = format(d, "f")
    if d.is_zero():
        return text.lstrip("-")
    return "−" + text[1:] if text.startswith("-") else text


def format_date(d: dt.date, granularity: str) -> str:
    """ISO 8601 cut to the granularity of the axis: ``year``, ``month`` or ``day``.

    >>> format_date(dt.date(2024, 3, 5), "month"), format_date(dt.date(2024, 3, 5), "day")
    ('2024-03', '2024-03-05')
    """
    if granularity == "year":
        return f"{d.year:04d}"
    if granularity == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def nice_ticks(lo: Num, hi: Num, max_ticks: int = 6) -> list[Decimal]:
    """The multiples of 1, 2 or 5 × 10^k inside [lo, hi], for the finest such step that gives at
    most ``max_ticks`` of them; each tick carries the decimals of the step.

    >>> nice_ticks(0, 1)
    [Decimal('0.0'), Decimal('0.2'), Decimal('0.4'), Decimal('0.6'), Decimal('0.8'), Decimal('1.0')]
    >>> nice_ticks(9.9987, 10.0021)
    [Decimal('9.999'), Decimal('10.000'), Decimal('10.001'), Decimal('10.002')]
    >>> [str(t) for t in nice_ticks(-2.5e-6, 2.5e-6, 5)]
    ['-0.000002', '-0.000001', '0.000000', '0.000001', '0.000002']
    >>> nice_ticks(0, 25000, 4)
    [Decimal('0'), Decimal('10000'), Decimal('20000')]
    """
    lo, hi = sorted((_dec(lo), _dec(hi)))
    max_ticks = max(2, max_ticks)
    with localcontext() as ctx:
        ctx.prec = 60
        if hi == lo:
            half = abs(lo) / 100 if lo else Decimal(1)
            lo, hi = lo - half, hi + half
        exponent, i = ((hi - lo) / (max_ticks - 1)).adjusted(), 0
        while True:
            step = Decimal((1, 2, 5)[i]).scaleb(exponent)
            first = int((lo / step).to_integral_value(ROUND_CEILING))
            last = int((hi / step).to_integral_value(ROUND_FLOOR))
            if last - first < max_ticks:
                break
            i = (i + 1) % 3
            exponent += i == 0
        ticks = [Decimal(k * (1, 2, 5)[i]).scaleb(exponent) for k in range(first, last + 1)]
        return [t.quantize(Decimal(1)) for t in ticks] if exponent > 0 else ticks


_DATE_STEPS = (
    *(("day", n) for n in (1, 2, 7, 14)),
    *(("month", n) for n in (1, 2, 3, 6)),
    *(("year", n) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)),
)
_DAYS_PER = {"day": 1, "month": 30.4, "year": 365.25}


def _dates_every(granularity: str, step: int, lo: int, hi: int) -> list[dt.date]:
    """The tick dates of one (granularity, step) between the ordinals lo and hi."""
    if granularity == "day":  # multiples of the step counted from 0001-01-01, a Monday
        return [dt.date.fromordinal(o) for o in range(lo + (1 - lo) % step, hi + 1, step)]
    first, last = dt.date.fromordinal(lo), dt.date.fromordinal(hi)
    if granularity == "month":
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month, 1)
        days = [dt.date(m // 12, m % 12 + 1, 1) for m in months if m % 12 % step == 0]
    else:
        days = [dt.date(y, 1, 1) for y in range(first.year, last.year + 1) if y % step == 0]
    return [d for d in days if lo <= d.toordinal() <= hi]


def date_ticks(
    lo: dt.date, hi: dt.date, fits: Callable[[str, list[dt.date]], bool]
) -> tuple[str, list[dt.date]]:
    """Ticks on whole days, months or years: the finest step for which ``fits(granularity,
    ticks)``, e.g. for which the labels do not overlap.

    >>> at_most_6 = lambda granularity, ticks: len(ticks) <= 6
    >>> granularity, ticks = date_ticks(dt.date(2015, 5, 1), dt.date(2024, 8, 1), at_most_6)
    >>> granularity, [str(d) for d in ticks]
    ('year', ['2016-01-01', '2018-01-01', '2020-01-01', '2022-01-01', '2024-01-01'])
    >>> date_ticks(dt.date(2024, 1, 10), dt.date(2024, 6, 20), lambda g, ticks: len(ticks) <= 4)
    ('month', [datetime.date(2024, 3, 1), datetime.date(2024, 5, 1)])
    """
    a, b = lo.toordinal(), hi.toordinal()
    for granularity, step in _DATE_STEPS:
        if (b - a) / (_DAYS_PER[granularity] * step) <= 200:
            ticks = _dates_every(granularity, step, a, b)
            if fits(granularity, ticks):
                return granularity, ticks
    return "year", []


# --- SVG elements --------------------------------------------------------------------------------

FONT = "DejaVu Sans, sans-serif"
INK, MUTED, POINT, BAND_FILL = "#222222", "#666666", "#1f4e79", "#e3efdc"


@dataclass(frozen=True)
class _Pen:
    colour: str
    width: float = 1.2
    dash: str | None = None


GRID_PEN = _Pen("#e4e4e4", 0.8)
FRAME_PEN = _Pen("#8c8c8c", 1.0)
POINT_PEN = _Pen(POINT, 1.1)
SERIES_PEN = _Pen(POINT, 0.8)
BAND_PEN = _Pen("#3d7a2e", 1.2, "6 3")
NOMINAL_PEN = _Pen("#4d4d4d", 1.2, "2 3")
ZERO_PEN = _Pen("#4d4d4d", 1.0)
PREDICT_PEN = _Pen("#b35900", 1.6, "10 3 2 3")
CROSSING_PEN = _Pen("#b35900", 1.2, "1 3")
DIAMOND_PEN = _Pen("#b35900", 1.5)
CENTRE_PEN = _Pen(INK, 1.2)
LIMIT_PEN = _Pen("#c00000", 1.4, "8 3")
WARNING_PEN = _Pen("#c98a00", 1.4, "3 3")

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(text: object) -> str:
    text = _NOT_XML.sub("", str(text))
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _px(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _tag(name: str, text: str | None = None, /, **attrs: object) -> str:
    """One element; ``cls`` is written ``class`` and underscores in names become hyphens."""
    parts = [name]
    for key, value in attrs.items():
        if value is not None:
            key = "class" if key == "cls" else key.replace("_", "-")
            parts.append(f'{key}="{_px(value) if isinstance(value, float) else _esc(value)}"')
    if text is None:
        return "<" + " ".join(parts) + "/>"
    return "<" + " ".join(parts) + f">{_esc(text)}</{name}>"


def _stroke(pen: _Pen) -> dict[str, object]:
    return {"stroke": pen.colour, "stroke_width": pen.width, "stroke_dasharray": pen.dash}


def _line(cls: str | None, x1: float, y1: float, x2: float, y2: float, pen: _Pen) -> str:
    return _tag("line", cls=cls, x1=x1, y1=y1, x2=x2, y2=y2, **_stroke(pen))


def _poly(tag: str, cls: str, pairs: Iterable[tuple[float, float]], **paint: object) -> str:
    points = " ".join(f"{_px(a)},{_px(b)}" for a, b in pairs)
    return _tag(tag, cls=cls, points=points, **paint)


def _rect(cls: str | None, x: float, y: float, w: float, h: float, **paint: object) -> str:
    return _tag("rect", cls=cls, x=x, y=y, width=w, height=h, **paint)


def _group(cls: str, children: Iterable[str], title: str | None = None) -> str:
    inner = (_tag("title", title) if title else "") + "".join(children)
    return f'<g class="{cls}">{inner}</g>'


def _text_width(text: str, size: float) -> float:
    """A generous estimate of the width of DejaVu Sans text (its digits are 0.64 em)."""
    return len(text) * size * 0.62


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Words gathered into lines no wider than ``width`` (a longer word stands alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _text(x: float, y: float, text: str, size: float = 10, anchor: str = "middle", **kw) -> str:
    kw.setdefault("fill", INK)
    return _tag("text", text, x=x, y=y, font_size=size, text_anchor=anchor, **kw)


def _circle(x: float, y: float, cls: str | None = "marker") -> str:
    return _tag(
        "circle", cls=cls, cx=x, cy=y, r=3.5, fill=POINT, stroke="#ffffff", stroke_width=0.8
    )


def _square(x: float, y: float, half: float = 4.5, cls: str | None = "marker") -> str:
    return _rect(cls, x - half, y - half, 2 * half, 2 * half, fill="#c00000", stroke="#000000")


def _diamond(x: float, y: float, half: float = 5.0, cls: str | None = "marker") -> str:
    corners = ((x, y - half), (x + half, y), (x, y + half), (x - half, y))
    return _poly("polygon", cls, corners, fill="#ffffff", **_stroke(DIAMOND_PEN))


def _error_bar(
    x: float, y_low: float, y_high: float, cap: float = 4.0, cls: str | None = "ebar"
) -> str:
    a, b, c0, c1 = _px(y_low), _px(y_high), _px(x - cap), _px(x + cap)
    d = f"M{_px(x)} {a}V{b}M{c0} {a}H{c1}M{c0} {b}H{c1}"
    return _tag("path", cls=cls, d=d, fill="none", **_stroke(POINT_PEN))


# Legend swatches draw themselves centred on (x, y) in a slot 22 px wide.


def _swatch_point(x: float, y: float) -> list[str]:
    return [_error_bar(x, y + 6, y - 6, 3, None), _circle(x, y, None)]


def _swatch_band(x: float, y: float) -> list[str]:
    edges = [_line(None, x - 9, y + s, x + 9, y + s, BAND_PEN) for s in (-5, 5)]
    return [_rect(None, x - 9, y - 5, 18, 10, fill=BAND_FILL), *edges]


def _swatch_line(pen: _Pen) -> Swatch:
    return lambda x, y: [_line(None, x - 11, y, x + 11, y, pen)]


def _swatch_series(x: float, y: float) -> list[str]:
    return [_line(None, x - 11, y, x + 11, y, SERIES_PEN), _circle(x, y, None)]


# --- the frame shared by the three charts --------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """Linear map from data to pixels, computed in Decimal so 1e6 ± 1e-6 still resolves."""

    lo: Decimal
    hi: Decimal
    p_lo: float
    p_hi: float

    def __call__(self, v: Decimal | int) -> float:
        with localcontext() as ctx:
            ctx.prec = 40
            t = float((Decimal(v) - self.lo) / (self.hi - self.lo))
        return self.p_lo + t * (self.p_hi - self.p_lo)


class _Canvas:
    """Lays out the title, plot area, axes and legend, and writes the SVG document.

    The y axis is set up at once from every value that must show (data ± U, limits, lines);
    the chart then sets up its x axis and appends elements to ``under`` (bands, beneath the
    grid), ``body`` and ``axes``.
    """

    def __init__(
        self,
        kind: str,
        size: tuple[int, int],
        texts: tuple[str, str, str, str],
        legend: Sequence[tuple[str, Swatch]],
        y_values: Sequence[Decimal],
        number: NumberFormat,
        right_texts: Sequence[str] = (),
        font: str = FONT,
        *,
        from_zero: bool = False,
        whole: bool = False,
        x_lines: int = 1,
    ) -> None:
        """``from_zero``: the y axis starts at zero (bars stand on it), no margin below it;
        ``whole``: only whole-number ticks (counts); ``x_lines``: lines of text under the x axis."""
        self.kind, (self.width, self.height) = kind, size
        self.font = font
        self.title, self.desc, self.x_label, self.y_label = texts
        self.under: list[str] = []
        self.body: list[str] = []
        self.axes: list[str] = []
        self.legend_rows = self._legend_rows(legend)
        self.title_lines = _wrap(self.title, 13 * 1.1, self.width - 20)  # bold is wider
        self.top = 12.0 + (17 * len(self.title_lines) + 5 if self.title_lines else 0)
        self.x_extra = 12.0 * (max(1, x_lines) - 1)
        self.bottom = self.height - 28.0 - 18 * len(self.legend_rows) - (18 if self.x_label else 0)
        self.bottom -= self.x_extra
        right_w = max((_text_width(t, 9) + 10 for t in right_texts), default=14.0)
        self.right = self.width - right_w
        self.left = 10.0 + (18 if self.y_label else 0)
        if not y_values:
            return
        lo, hi = min(y_values), max(y_values)
        pad = (hi - lo) / 16 if hi > lo else (abs(lo) / 100 if lo else Decimal(1))
        low, high = lo - pad, hi + pad
        if from_zero:
            low, high = (low if lo < 0 else Decimal(0)), (high if hi > 0 else Decimal(0))
            high = high if high > low else low + 1
        max_ticks = max(3, min(8, int((self.bottom - self.top) // 38)))
        ticks = nice_ticks(low, high, max_ticks)
        if whole and any(t != t.to_integral_value() for t in ticks):
            first, last = math.ceil(low), math.floor(high)
            ticks = [Decimal(k) for k in range(first, last + 1, max(1, (last - first) // 4))]
        tick_texts = [number(t) for t in ticks]
        self.left += max(_text_width(t, 10) for t in tick_texts) + 8
        self.y = _Scale(low, high, self.bottom, self.top)
        for tick, text in zip(ticks, tick_texts, strict=True):
            py = self.y(tick)
            grid = _line("grid", self.left, py, self.right, py, GRID_PEN)
            mark = _line("tick", self.left - 4, py, self.left, py, FRAME_PEN)
            label = _text(self.left - 7, py + 3.5, text, anchor="end")
            self.axes.append(_group("ytick", [grid, mark, label]))

    def _legend_rows(self, legend: Sequence[tuple[str, Swatch]]) -> list[list[tuple]]:
        rows: list[list[tuple]] = []
        used = math.inf
        for text, swatch in legend:
            w = 26 + _text_width(text, 10)
            if used + 14 + w > self.width - 20:
                rows.append([])
                used = -14
            rows[-1].append((text, swatch, w))
            used += 14 + w
        return rows

    def x_dates(self, dates: Sequence[dt.date], date_label: DateFormat) -> Callable:
        """Sets up a date axis padded around ``dates``; returns the date → pixel map."""
        a, b = min(dates).toordinal(), max(dates).toordinal()
        pad = 15 if a == b else max(1, round((b - a) * 0.04))
        a, b = max(1, a - pad), min(dt.date.max.toordinal(), b + pad)
        scale = _Scale(Decimal(a), Decimal(b), self.left, self.right)

        def fits(granularity: str, ticks: list[dt.date]) -> bool:
            label_w = max((_text_width(date_label(t, granularity), 10) for t in ticks), default=0)
            xs = [scale(t.toordinal()) for t in ticks]
            return bool(ticks) and all(
                q - p >= label_w + 8 for p, q in zip(xs, xs[1:], strict=False)
            )

        granularity, ticks = date_ticks(dt.date.fromordinal(a), dt.date.fromordinal(b), fits)
        self._x_ticks([(scale(t.toordinal()), date_label(t, granularity)) for t in ticks])
        return lambda d: scale(d.toordinal())

    def x_categories(self, texts: Sequence[str]) -> list[float]:
        """Sets up one equal slot per text; returns the slot centres. Labels that would
        overlap are thinned to every k-th."""
        slot = (self.right - self.left) / len(texts)
        xs = [self.left + (i + 0.5) * slot for i in range(len(texts))]
        every = math.ceil(max(_text_width(t, 10) for t in texts) / max(slot - 8, 1))
        self._x_ticks([(x, t) for x, t in list(zip(xs, texts, strict=True))[:: max(1, every)]])
        return xs

    def _x_ticks(self, ticks: Sequence[tuple[float, str]]) -> None:
        for x, text in ticks:
            grid = _line("grid", x, self.top, x, self.bottom, GRID_PEN)
            parts = [grid, _line("tick", x, self.bottom, x, self.bottom + 4, FRAME_PEN)]
            half = _text_width(text, 10) / 2
            if x - half >= 2 and x + half <= self.width - 2:
                parts.append(_text(x, self.bottom + 16, text))
            self.axes.append(_group("xtick", parts))

    def svg(self, no_data: str | None = None) -> str:
        w, h = self.width, self.height
        pw, ph = self.right - self.left, self.bottom - self.top
        mid_x = self.left + pw / 2
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="chart chart-{self.kind}"'
            f' role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}"'
            f' font-family="{_esc(self.font)}" font-size="10">',
            _tag("title", self.title or self.y_label),
            _tag("desc", self.desc),
            _rect("background", 0, 0, w, h, fill="#ffffff"),
        ]
        for i, line in enumerate(self.title_lines):
            out.append(_text(10, 22 + 17 * i, line, 13, "start", font_weight="bold", cls="title"))
        out.append(_rect("plot-area", self.left, self.top, pw, ph, fill="#ffffff"))
        out += [*self.under, _group("axes", self.axes), _group("plot", self.body)]
        out.append(_rect("frame", self.left, self.top, pw, ph, fill="none", **_stroke(FRAME_PEN)))
        if no_data is not None:
            out.append(_text(mid_x, self.top + ph / 2 + 4, no_data, 12, fill=MUTED, cls="no-data"))
        y = self.bottom + 20 + self.x_extra
        if self.x_label:
            y += 16
            out.append(_text(mid_x, y, self.x_label, 11, cls="axis-label x"))
        if self.y_label:
            turn = f"rotate(-90 18 {_px(self.top + ph / 2)})"
            out.append(
                _text(18, self.top + ph / 2, self.y_label, 11, cls="axis-label y", transform=turn)
            )
        legend = []
        for row in self.legend_rows:
            y += 18
            x = (w - sum(item[2] + 14 for item in row) + 14) / 2
            for text, swatch, item_w in row:
                label = _text(x + 26, y, text, anchor="start")
                legend.append(_group("legend-item", [*swatch(x + 11, y - 3.5), label]))
                x += item_w + 14
        if legend:
            out.append(_group("legend", legend))
        return "".join(out) + "</svg>"


def _axis_title(text: str, unit: str) -> str:
    return f"{text} ({unit})" if text and unit else text


def _date_span(dates: Sequence[dt.date], date_label: DateFormat) -> str:
    return f"{date_label(min(dates), 'day')} – {date_label(max(dates), 'day')}"


# --- the charts ----------------------------------------------------------------------------------


def drift_chart(
    points: Iterable[DriftPoint | tuple],
    *,
    unit: str,
    nominal: Num | None = None,
    lower: Num | None = None,
    upper: Num | None = None,
    prediction: Prediction | tuple | None = None,
    crossing: dt.date | None = None,
    title: str = "",
    desc: str | None = None,
    labels: Mapping[str, str] | None = None,
    number: NumberFormat = format_number,
    date_label: DateFormat = format_date,
    width: int = 640,
    height: int = 320,
) -> str:
    """A standard's calibrated values over the years, each with its ±U bar, against the
    tolerance band [lower, upper] (either side may be open), the nominal value, a straight
    drift prediction and the date at which the prediction is expected to cross a limit."""
    lab = {**DRIFT_LABELS, **(labels or {})}
    pts = [p if isinstance(p, DriftPoint) else DriftPoint(*p) for p in points]
    data = [(_day(p.date), _dec(p.value), _uncertainty(p.U)) for p in pts]
    nominal, lower, upper = _opt(nominal, "nominal"), _opt(lower, "lower"), _opt(upper, "upper")
    if lower is not None and upper is not None and lower > upper:
        raise ValueError(f"lower ({lower}) is above upper ({upper})")
    line = None
    if prediction is not None:
        p = prediction if isinstance(prediction, Prediction) else Prediction(*prediction)
        line = (_day(p.start), _dec(p.start_value), _day(p.end), _dec(p.end_value))
    crossing = None if crossing is None else _day(crossing)
    cross_value = None
    if line and crossing:
        d0, v0, d1, v1 = line
        days = d1.toordinal() - d0.toordinal()
        t = Decimal(crossing.toordinal() - d0.toordinal()) / days if days else 0
        cross_value = v0 + (v1 - v0) * t

    legend: list[tuple[str, Swatch]] = [(lab["value"], _swatch_point)]
    if lower is not None or upper is not None:
        legend.append((lab["tolerance"], _swatch_band))
    if nominal is not None:
        legend.append((lab["nominal"], _swatch_line(NOMINAL_PEN)))
    if line:
        legend.append((lab["prediction"], _swatch_line(PREDICT_PEN)))
    if crossing:
        legend.append((lab["crossing"], lambda x, y: [_diamond(x, y, 4.5, None)]))
    y_values = [v + s * U for _, v, U in data for s in (-1, 1)]
    y_values += [v for v in (nominal, lower, upper, cross_value) if v is not None]
    y_values += [line[1], line[3]] if line else []
    y_axis = _axis_title(lab["y"], unit)
    if desc is None and data:
        values = [v for _, v, _ in data]
        desc = f"{lab['x']}: {_date_span([d for d, _, _ in data], date_label)}. "
        desc += f"{y_axis}: {number(min(values))} – {number(max(values))}."
    texts = (title, desc or lab["no_data"], lab["x"], y_axis)
    if not data:
        return _Canvas("drift", (width, height), texts, [], [], number).svg(lab["no_data"])
    canvas = _Canvas("drift", (width, height), texts, legend, y_values, number)
    dates = [d for d, _, _ in data] + ([line[0], line[2]] if line else [])
    x = canvas.x_dates(dates + ([crossing] if crossing else []), date_label)
    y, body, left, right = canvas.y, canvas.body, canvas.left, canvas.right
    if lower is not None or upper is not None:
        top = canvas.top if upper is None else y(upper)
        bottom = canvas.bottom if lower is None else y(lower)
        low, high = (number(v) if v is not None else "" for v in (lower, upper))
        band = _rect("band", left, top, right - left, bottom - top, fill=BAND_FILL)
        canvas.under.append(
            _group("tolerance", [band], f"{lab['tolerance']}: {low} – {high} {unit}")
        )
        for cls, v in (("limit upper", upper), ("limit lower", lower)):
            if v is not None:
                body.append(_line(cls, left, y(v), right, y(v), BAND_PEN))
    if nominal is not None:
        body.append(_line("nominal", left, y(nominal), right, y(nominal), NOMINAL_PEN))
    if line:
        ends = (x(line[0]), y(line[1]), x(line[2]), y(line[3]))
        body.append(_line("prediction", *ends, PREDICT_PEN))
    for d, v, U in data:
        bar = [_error_bar(x(d), y(v - U), y(v + U))] if U else []
        tip = f"{date_label(d, 'day')}: {number(v)} ± {number(U)} {unit}".rstrip()
        body.append(_group("point", [*bar, _circle(x(d), y(v))], tip))
    if crossing:
        cx, text = x(crossing), date_label(crossing, "day")
        mark = [_line(None, cx, canvas.top, cx, canvas.bottom, CROSSING_PEN)]
        if cross_value is not None:
            mark.append(_diamond(cx, y(cross_value)))
        text_w = _text_width(text, 9)
        fits_right = cx + 4 + text_w <= right
        at = (cx + 4, "start") if fits_right else (cx - 4, "end")
        backing_x = at[0] - 1 if fits_right else at[0] - text_w - 1
        mark.append(_rect(None, backing_x, canvas.bottom - 15, text_w + 2, 12, fill="#ffffff"))
        mark.append(_text(at[0], canvas.bottom - 6, text, 9, at[1]))
        body.append(_group("crossing", mark, f"{lab['crossing']}: {text}"))
    return canvas.svg()


def control_chart(
    points: Iterable[ControlPoint | tuple],
    *,
    centre: Num | None = None,
    ucl: Num | None = None,
    lcl: Num | None = None,
    uwl: Num | None = None,
    lwl: Num | None = None,
    unit: str,
    title: str = "",
    desc: str | None = None,
    labels: Mapping[str, str] | None = None,
    number: NumberFormat = format_number,
    date_label: DateFormat = format_date,
    width: int = 640,
    height: int = 320,
) -> str:
    """Intermediate checks of a standard in date order, joined by a thin line, against the
    centre line, the control limits and the warning limits, each named with its value at the
    right edge. A check strictly outside [lcl, ucl] is a red square in ``<g class="point out">``;
    one equal to a limit is in control. Without limits (while the first checks set them) only
    the checks are drawn, none of them out."""
    lab = {**CONTROL_LABELS, **(labels or {})}
    pts = [p if isinstance(p, ControlPoint) else ControlPoint(*p) for p in points]
    data = [(_day(p.date), _dec(p.value)) for p in pts]
    if (ucl is None) != (lcl is None):
        raise ValueError("give both control limits or neither")
    pens = {"uwl": WARNING_PEN, "lwl": WARNING_PEN, "cl": CENTRE_PEN}
    given = {"ucl": ucl, "cl": centre, "lcl": lcl, "uwl": uwl, "lwl": lwl}
    lines = [
        (_dec(v, key), key, pens.get(key, LIMIT_PEN)) for key, v in given.items() if v is not None
    ]
    level = {key: v for v, key, _ in lines}
    if ucl is not None and level["lcl"] > level["ucl"]:
        raise ValueError(f"lcl ({level['lcl']}) is above ucl ({level['ucl']})")
    outside = [ucl is not None and (v > level["ucl"] or v < level["lcl"]) for _, v in data]

    legend: list[tuple[str, Swatch]] = [(lab["value"], _swatch_series)]
    if any(outside):
        legend.append((lab["out"], lambda x, y: [_square(x, y, 4, None)]))
    if centre is not None:
        legend.append((lab["centre"], _swatch_line(CENTRE_PEN)))
    if ucl is not None:
        legend.append((lab["limits"], _swatch_line(LIMIT_PEN)))
    if uwl is not None or lwl is not None:
        legend.append((lab["warning"], _swatch_line(WARNING_PEN)))
    y_axis = _axis_title(lab["y"], unit)
    names = [f"{lab[key]} {number(v)}" for v, key, _ in lines]
    if desc is None and data:
        desc = f"{lab['x']}: {_date_span([d for d, _ in data], date_label)}. {y_axis}: "
        desc += f"{', '.join(names)}. {lab['out']}: {sum(outside)}."
    texts = (title, desc or lab["no_data"], lab["x"], y_axis)
    if not data:
        return _Canvas("control", (width, height), texts, [], [], number).svg(lab["no_data"])
    y_values = [v for _, v in data] + [v for v, _, _ in lines]
    canvas = _Canvas("control", (width, height), texts, legend, y_values, number, names)
    x = canvas.x_dates([d for d, _ in data], date_label)
    y = canvas.y
    placed: list[tuple[float, str]] = []
    for (v, key, pen), name in sorted(zip(lines, names, strict=True), key=lambda i: -i[0][0]):
        canvas.body.append(_line(f"limit {key}", canvas.left, y(v), canvas.right, y(v), pen))
        placed.append((max(y(v), placed[-1][0] + 11) if placed else y(v), name))
    lift = max(0.0, placed[-1][0] - canvas.bottom - 3) if placed else 0.0  # kept in the frame
    for py, name in placed:
        canvas.axes.append(
            _text(canvas.right + 5, py - lift + 3.5, name, 9, "start", cls="limit-label")
        )
    series = [(x(d), y(v)) for d, v in sorted(data, key=lambda item: item[0])]
    canvas.body.append(_poly("polyline", "series", series, fill="none", **_stroke(SERIES_PEN)))
    for (d, v), out in zip(data, outside, strict=True):
        marker = _square(x(d), y(v)) if out else _circle(x(d), y(v))
        tip = f"{date_label(d, 'day')}: {number(v)} {unit}".rstrip()
        canvas.body.append(_group("point out" if out else "point", [marker], tip))
    return canvas.svg()


def error_chart(
    points: Iterable[ErrorPoint | tuple],
    *,
    unit: str,
    nominal_unit: str | None = None,
    title: str = "",
    desc: str | None = None,
    labels: Mapping[str, str] | None = None,
    number: NumberFormat = format_number,
    width: int = 640,
    height: int = 320,
    font: str = FONT,
) -> str:
    """The errors of an instrument at its calibration points, one equal slot per point in the
    order given, each with its ±U bar, over the band of ± the maximum permissible error, which
    steps from slot to slot and breaks where a point has no limit.

    ``font`` is the font family of every text: a PDF passes the family of its own embedded font
    (e.g. ``"Cert"``) so that the chart needs no system font, whose Vietnamese glyphs may differ."""
    lab = {**ERROR_LABELS, **(labels or {})}
    pts = [p if isinstance(p, ErrorPoint) else ErrorPoint(*p) for p in points]
    data = [
        (_dec(p.nominal, "nominal"), _dec(p.error, "error"), _uncertainty(p.U), p.tolerance)
        for p in pts
    ]
    data = [(n, e, U, None if t is None else abs(_dec(t, "tolerance"))) for n, e, U, t in data]
    nominal_unit = unit if nominal_unit is None else nominal_unit
    legend: list[tuple[str, Swatch]] = [(lab["value"], _swatch_point)]
    if any(t is not None for *_, t in data):
        legend.append((lab["tolerance"], _swatch_band))
    y_values = [e + s * U for _, e, U, _ in data for s in (-1, 1)] + [Decimal(0)]
    y_values += [s * t for *_, t in data if t is not None for s in (-1, 1)]
    x_axis, y_axis = _axis_title(lab["x"], nominal_unit), _axis_title(lab["y"], unit)
    if desc is None and data:
        worst = max(data, key=lambda item: abs(item[1]))
        desc = f"{x_axis}: {', '.join(number(n) for n, *_ in data)}. "
        desc += f"{y_axis}: {number(worst[1])} ({number(worst[0])} {nominal_unit})."
    texts = (title, desc or lab["no_data"], x_axis, y_axis)
    if not data:
        return _Canvas("error", (width, height), texts, [], [], number, font=font).svg(
            lab["no_data"]
        )
    canvas = _Canvas("error", (width, height), texts, legend, y_values, number, font=font)
    xs = canvas.x_categories([number(n) for n, *_ in data])
    y, body = canvas.y, canvas.body
    half = (canvas.right - canvas.left) / len(data) / 2
    runs: list[list[tuple[float, Decimal]]] = [[]]
    for px, (*_, t) in zip(xs, data, strict=True):
        if t is None:
            runs.append([])
        else:
            runs[-1].append((px, t))
    for run in filter(None, runs):
        upper = [(px + s * half, y(t)) for px, t in run for s in (-1, 1)]
        lower = [(px + s * half, y(-t)) for px, t in reversed(run) for s in (1, -1)]
        canvas.under.append(_poly("polygon", "band", upper + lower, fill=BAND_FILL))
        for cls, edge in (("limit upper", upper), ("limit lower", lower)):
            body.append(_poly("polyline", cls, edge, fill="none", **_stroke(BAND_PEN)))
    body.append(_line("zero", canvas.left, y(Decimal(0)), canvas.right, y(Decimal(0)), ZERO_PEN))
    cap = max(2.0, min(4.0, half * 0.4))
    for px, (n, e, U, t) in zip(xs, data, strict=True):
        bar = [_error_bar(px, y(e - U), y(e + U), cap)] if U else []
        tip = f"{number(n)} {nominal_unit}: {number(e)} ± {number(U)} {unit}"
        tip += "" if t is None else f" ({lab['tolerance']} ± {number(t)} {unit})"
        body.append(_group("point", [*bar, _circle(px, y(e))], tip))
    return canvas.svg()


# --- bar charts ----------------------------------------------------------------------------------

BAR_LABELS = {"no_data": "No data"}


@dataclass(frozen=True)
class _Fill:
    """How one series of bars is painted: a fill, and hatching (``/``, ``\\``, ``-``, ``x``) in
    the ``ink`` colour so that two series still differ on a black-and-white print."""

    fill: str
    ink: str | None = None
    hatch: str | None = None


BAR_FILLS = (
    _Fill(POINT),
    _Fill("#f6d5d5", "#c00000", "/"),
    _Fill("#ffffff", "#3d7a2e", "\\"),
    _Fill("#fff1d6", "#b35900", "-"),
    _Fill("#e4e4e4", INK, "x"),
    _Fill("#ffffff", MUTED, "/"),
)
HATCH_STEP = 5.0


def _hatch_segments(x0: float, y0: float, w: float, h: float, hatch: str) -> list[tuple]:
    """The hatch lines inside the rectangle, on a grid anchored at (0, 0) so that stacked or
    neighbouring bars of a series line up."""
    s, x1, y1 = HATCH_STEP, x0 + w, y0 + h
    out: list[tuple[float, float, float, float]] = []
    if hatch in ("/", "x"):  # x + y = c, rising to the right
        for k in range(math.floor((x0 + y0) / s) + 1, math.ceil((x1 + y1) / s)):
            c = k * s
            a, b = max(x0, c - y1), min(x1, c - y0)
            if b > a:
                out.append((a, c - a, b, c - b))
    if hatch in ("\\", "x"):  # x − y = c, falling to the right
        for k in range(math.floor((x0 - y1) / s) + 1, math.ceil((x1 - y0) / s)):
            c = k * s
            a, b = max(x0, c + y0), min(x1, c + y1)
            if b > a:
                out.append((a, a - c, b, b - c))
    if hatch == "-":
        for k in range(math.floor(y0 / s) + 1, math.ceil(y1 / s)):
            out.append((x0, k * s, x1, k * s))
    return out


def _filled_rect(cls: str | None, x: float, y: float, w: float, h: float, style: _Fill) -> list:
    parts = [_rect(cls, x, y, w, h, fill=style.fill, stroke=INK, stroke_width=0.6)]
    if style.hatch and w > 0 and h > 0:
        d = "".join(
            f"M{_px(a)} {_px(b)}L{_px(c)} {_px(e)}"
            for a, b, c, e in _hatch_segments(x, y, w, h, style.hatch)
        )
        if d:
            parts.append(
                _tag("path", cls="hatch", d=d, fill="none", stroke=style.ink, stroke_width=0.7)
            )
    return parts


def _swatch_fill(style: _Fill) -> Swatch:
    return lambda x, y: _filled_rect(None, x - 9, y - 6, 18, 12, style)


BAR_EXPONENT = 30  # a bar's value is zero or between 10⁻³⁰ and 10³⁰ in size


def _bar_value(x: Num) -> Decimal:
    """A bar's value as a finite Decimal of a size the axis can be drawn for (ValueError
    otherwise: 1e999 has no tick step, 1e-999999 takes a million characters to write)."""
    d = _dec(x, "a bar")
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    size_ok = d.is_zero() or -BAR_EXPONENT <= d.adjusted() <= BAR_EXPONENT
    if not (size_ok and -BAR_EXPONENT <= exponent <= BAR_EXPONENT):
        raise ValueError(
            f"a bar must be zero or between 1e-{BAR_EXPONENT} and 1e{BAR_EXPONENT} in size, "
            f"not {str(x)[:20]!r}"
        )
    return d


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Num]]],
    *,
    stacked: bool = False,
    title: str = "",
    desc: str | None = None,
    x_label: str = "",
    y_label: str = "",
    labels: Mapping[str, str] | None = None,
    number: NumberFormat = format_number,
    width: int = 640,
    height: int = 320,
    font: str = FONT,
) -> str:
    """Amounts per category: one bar per series side by side in each category's slot, or the
    series stacked in one bar (``stacked=True``, amounts must not be negative). ``series`` is a
    sequence of ``(name, values)`` with one value per category; each series has its own fill
    and hatching (``BAR_FILLS``, in order) and a legend entry. Bars stand on zero; when every
    value is a whole number (counts) the axis ticks are whole numbers. Each bar is a ``<g
    class="bar">`` titled "category · series: value", its rectangle ``class="segment"``; the
    value (or a stack's total) is written above the bar when it fits. Category names are
    wrapped under their slot, on up to three lines. ValueError for a value that is not a
    number, not finite, or whose size is beyond ``BAR_EXPONENT``.

    >>> svg = bar_chart(["Cân", "Cột đo xăng dầu"], [("Đạt", [12, 3]), ("Không đạt", [1, 0])])
    >>> svg.count('class="bar"'), svg.count('class="hatch"') > 0
    (4, True)
    """
    lab = {**BAR_LABELS, **(labels or {})}
    names = [str(c) for c in categories]
    rows = [(str(name), [_bar_value(v) for v in values]) for name, values in series]
    for name, values in rows:
        if len(values) != len(names):
            raise ValueError(
                f"series {name!r} has {len(values)} values for {len(names)} categories"
            )
        if stacked and any(v < 0 for v in values):
            raise ValueError(f"series {name!r}: stacked bars cannot be negative")
    legend = [
        (name, _swatch_fill(BAR_FILLS[i % len(BAR_FILLS)])) for i, (name, _) in enumerate(rows)
    ]
    if stacked:
        tops = [sum((values[j] for _, values in rows), Decimal(0)) for j in range(len(names))]
        y_values = [Decimal(0), *tops]
    else:
        y_values = [Decimal(0), *(v for _, values in rows for v in values)]
    whole = all(v == v.to_integral_value() for v in y_values)
    if desc is None and names and rows:
        desc = "; ".join(
            f"{name}: " + ", ".join(f"{s} {number(values[j])}" for s, values in rows)
            for j, name in enumerate(names)
        )
    texts = (title, desc or lab["no_data"], x_label, y_label)
    if not names or not rows:
        return _Canvas("bar", (width, height), texts, [], [], number, font=font).svg(lab["no_data"])
    probe = _Canvas("bar", (width, height), texts, legend, [], number, font=font)
    slot = (probe.right - probe.left - 60) / len(names)  # the y tick labels are not known yet
    wrapped = [_wrap(name, 9, max(slot - 6, 20)) or [""] for name in names]
    wrapped = [w if len(w) <= 3 else [*w[:2], w[2] + " …"] for w in wrapped]
    canvas = _Canvas(
        "bar",
        (width, height),
        texts,
        legend,
        y_values,
        number,
        font=font,
        from_zero=True,
        whole=whole,
        x_lines=max(len(w) for w in wrapped),
    )
    y, body = canvas.y, canvas.body
    slot = (canvas.right - canvas.left) / len(names)
    zero = y(Decimal(0))
    for j, lines in enumerate(wrapped):
        cx = canvas.left + (j + 0.5) * slot
        tick = [_line("tick", cx, canvas.bottom, cx, canvas.bottom + 4, FRAME_PEN)]
        tick += [_text(cx, canvas.bottom + 15 + 11 * i, t, 9) for i, t in enumerate(lines)]
        canvas.axes.append(_group("xtick", tick, names[j]))
    inner = slot * 0.7
    bar_w = inner if stacked else inner / len(rows)
    for j, name in enumerate(names):
        left = canvas.left + j * slot + (slot - inner) / 2
        base = Decimal(0)
        for i, (series_name, values) in enumerate(rows):
            v = values[j]
            style = BAR_FILLS[i % len(BAR_FILLS)]
            if stacked:
                a, b = y(base), y(base + v)
                base += v
                x = left
            else:
                a, b = zero, y(v)
                x = left + i * bar_w
            top, h = min(a, b), abs(a - b)
            tip = f"{name} · {series_name}: {number(v)}"
            bar = _filled_rect("segment", x, top, bar_w, h, style) if h > 0 else []
            if not stacked and _text_width(number(v), 8) <= bar_w + 6:
                label_y = top - 3 if v >= 0 else top + h + 10
                bar.append(_text(x + bar_w / 2, label_y, number(v), 8, cls="value"))
            body.append(_group("bar", bar, tip))
        if stacked and _text_width(number(base), 8) <= bar_w + 6:
            body.append(_text(left + bar_w / 2, y(base) - 3, number(base), 8, cls="value total"))
    body.append(_line("zero", canvas.left, zero, canvas.right, zero, ZERO_PEN))
    return canvas.svg()
