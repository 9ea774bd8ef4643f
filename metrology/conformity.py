"""Statements of conformity with a specification (ILAC-G8:09/2019, JCGM 106:2012).

:func:`decide` applies one decision rule to a result y ± U against tolerance limits and returns a
frozen :class:`Verdict` that names its rule and says, in English and Vietnamese, what it means:

- ``"simple"``: simple acceptance, w = 0 (ILAC-G8 4.2.1): pass if T_L ≤ y ≤ T_U;
- ``"guarded_acceptance"``: pass only if T_L + w ≤ y ≤ T_U − w, with w = r·U (ILAC-G8 4.2.2);
  with w = U and k = 2 the specific false-accept risk is at most 2.3 %;
- ``"guarded_rejection"``: fail only if y < T_L − w or y > T_U + w;
- ``"non_binary"``: pass, conditional pass, conditional fail or fail (ILAC-G8 4.2.3).

It also gives, for a normal PDF of the measurand with u = U/k (JCGM 106 7.2–7.3), the
probability of conformance and the specific risk of the decision taken. The rest of the module:
:func:`guard_band_for_risk` (a guard band for a target specific false-accept risk),
:func:`global_risk` (PFA and PFR of a process, Deaver / JCGM 106 9), :func:`tur` and
:func:`capability_index`.

>>> v = decide(10.03, 0.04, 9.95, 10.05, rule="non_binary")
>>> v.decision, round(v.probability_of_conformance, 6)
('conditional_pass', 0.841313)
>>> v.statement("en")
'Conditional pass: the measured value lies within the specification limits, but by less than the expanded uncertainty. Decision rule: non-binary statement with w = 1·U (ILAC-G8:09/2019 4.2.3).'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import integrate, optimize, special

from metrology.errors import InputError

RULES = ("simple", "guarded_acceptance", "guarded_rejection", "non_binary")
DECISIONS = ("pass", "conditional_pass", "conditional_fail", "fail")
_CLAUSE = {
    "simple": "4.2.1",
    "guarded_acceptance": "4.2.2",
    "guarded_rejection": "4.2.2",
    "non_binary": "4.2.3",
}
_RULE_NAME = {
    "en": {
        "simple": "simple acceptance (w = 0)",
        "guarded_acceptance": "guarded acceptance",
        "guarded_rejection": "guarded rejection",
        "non_binary": "non-binary statement",
    },
    "vi": {
        "simple": "chấp nhận đơn giản (w = 0)",
        "guarded_acceptance": "chấp nhận có dải bảo vệ",
        "guarded_rejection": "loại bỏ có dải bảo vệ",
        "non_binary": "tuyên bố không nhị phân",
    },
}
_DECISION_WORD = {
    "en": {
        "pass": "Pass",
        "conditional_pass": "Conditional pass",
        "conditional_fail": "Conditional fail",
        "fail": "Fail",
    },
    "vi": {
        "pass": "Đạt",
        "conditional_pass": "Đạt có điều kiện",
        "conditional_fail": "Không đạt có điều kiện",
        "fail": "Không đạt",
    },
}
_REASON = {
    "en": {
        ("simple", "pass"): "the measured value lies within the specification limits",
        ("simple", "fail"): "the measured value lies outside the specification limits",
        ("guarded_acceptance", "pass"): "the measured value lies within the acceptance limits "
        "(the specification limits narrowed by the guard band)",
        ("guarded_acceptance", "fail"): "the measured value lies outside the acceptance limits "
        "(the specification limits narrowed by the guard band)",
        ("guarded_rejection", "pass"): "the measured value does not lie beyond the rejection "
        "limits (the specification limits widened by the guard band)",
        ("guarded_rejection", "fail"): "the measured value lies beyond the rejection limits "
        "(the specification limits widened by the guard band)",
        ("non_binary", "pass"): "the measured value lies within the specification limits by "
        "more than {margin}",
        ("non_binary", "conditional_pass"): "the measured value lies within the specification "
        "limits, but by less than {margin}",
        ("non_binary", "conditional_fail"): "the measured value lies outside the specification "
        "limits, but by less than {margin}",
        ("non_binary", "fail"): "the measured value lies outside the specification limits by "
        "more than {margin}",
    },
    "vi": {
        ("simple", "pass"): "giá trị đo nằm trong giới hạn quy định",
        ("simple", "fail"): "giá trị đo nằm ngoài giới hạn quy định",
        ("guarded_acceptance", "pass"): "giá trị đo nằm trong giới hạn chấp nhận "
        "(giới hạn quy định thu hẹp bởi dải bảo vệ)",
        ("guarded_acceptance", "fail"): "giá trị đo nằm ngoài giới hạn chấp nhận "
        "(giới hạn quy định thu hẹp bởi dải bảo vệ)",
        ("guarded_rejection", "pass"): "giá trị đo không vượt quá giới hạn loại bỏ "
        "(giới hạn quy định mở rộng bởi dải bảo vệ)",
        ("guarded_rejection", "fail"): "giá trị đo vượt quá giới hạn loại bỏ "
        "(giới hạn quy định mở rộng bởi dải bảo vệ)",
        ("non_binary", "pass"): "giá trị đo nằm trong giới hạn quy định, cách giới hạn nhiều "
        "hơn {margin}",
        ("non_binary", "conditional_pass"): "giá trị đo nằm trong giới hạn quy định nhưng cách "
        "giới hạn ít hơn {margin}",
        ("non_binary", "conditional_fail"): "giá trị đo nằm ngoài giới hạn quy định nhưng cách "
        "giới hạn ít hơn {margin}",
        ("non_binary", "fail"): "giá trị đo nằm ngoài giới hạn quy định, cách giới hạn nhiều "
        "hơn {margin}",
    },
}
_MARGIN = {
    "en": ("the expanded uncertainty", "the guard band"),
    "vi": ("độ không đảm bảo đo mở rộng", "dải bảo vệ"),
}
_SENTENCE = {
    "en": "{word}: {reason}. Decision rule: {rule}{guard} (ILAC-G8:09/2019 {clause}).",
    "vi": "{word}: {reason}. Quy tắc quyết định: {rule}{guard} (ILAC-G8:09/2019 {clause}).",
}


def _phi(z: float) -> float:
    return float(special.ndtr(z))


def _number(x: Any, what: str) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, not {x!r}") from None
    if math.isnan(value):
        raise InputError(f"{what} must be a number, not {x!r}")
    return value


def _limits(lower: Any, upper: Any) -> tuple[float, float]:
    lo = -math.inf if lower is None else _number(lower, "the lower limit")
    hi = math.inf if upper is None else _number(upper, "the upper limit")
    if lower is None and upper is None:
        raise InputError("give at least one tolerance limit (lower, upper or both)")
    if not lo < hi:
        raise InputError(f"the lower limit {lower} must be below the upper limit {upper}")
    return lo, hi


def conformance_probability(value: float, u: float, lower: Any = None, upper: Any = None) -> float:
    """p_c = Φ((T_U − y)/u) − Φ((T_L − y)/u) for a normal PDF (JCGM 106 7.2).

    >>> round(conformance_probability(10.03, 0.02, 9.95, 10.05), 6)  # DR-1
    0.841313
    """
    lo, hi = _limits(lower, upper)
    y, s = _number(value, "the value"), _number(u, "u")
    if s <= 0:
        return 1.0 if lo <= y <= hi else 0.0
    return _phi((hi - y) / s) - _phi((lo - y) / s)


def guard_band_for_risk(u: float, risk: float, lower: Any = None, upper: Any = None) -> float:
    """The guard band w whose acceptance limit has a specific false-accept risk of ``risk``.

    One limit: w = u·Φ⁻¹(1 − risk) (2.275 % gives 2u, 5 % gives 1.645u). Two limits close
    together: w is solved so that p_c at T_U − w is 1 − risk.

    >>> round(guard_band_for_risk(0.5, 0.05, upper=10.0), 4)
    0.8224
    """
    s = _number(u, "u")
    if s <= 0:
        raise InputError("a guard band for a risk needs a positive standard uncertainty")
    if not 0.0 < risk < 0.5:
        raise InputError(f"the target risk must be between 0 and 0.5, not {risk}")
    lo, hi = _limits(lower, upper)
    one_sided = s * float(special.ndtri(1.0 - risk))
    if math.isinf(lo) or math.isinf(hi):
        return one_sided
    half = (hi - lo) / 2.0
    if conformance_probability(lo + half, s, lo, hi) < 1.0 - risk:
        raise InputError(
            "the tolerance is too narrow for this risk: even a value at its centre has a "
            f"probability of conformance below {1 - risk:.4g}"
        )
    gap = optimize.brentq(
        lambda w: conformance_probability(hi - w, s, lo, hi) - (1.0 - risk), 0.0, half, xtol=1e-14
    )
    return float(gap)


@dataclass(frozen=True)
class Verdict:
    """A decision on conformity and the rule that made it.

    ``specific_risk`` is the probability that the decision is wrong for this item: of false
    acceptance (1 − p_c) after a pass, of false rejection (p_c) after a fail (JCGM 106 9.5).
    """

    rule: str
    decision: str
    value: float
    U: float
    k: float
    lower: float | None
    upper: float | None
    guard_band: float
    r: float | None
    max_false_accept: float | None
    probability_of_conformance: float
    specific_risk: float

    @property
    def passed(self) -> bool:
        """True for pass and conditional pass."""
        return self.decision in ("pass", "conditional_pass")

    def statement(self, lang: str = "en") -> str:
        """The sentence a certificate prints for this verdict, in ``"en"`` or ``"vi"``."""
        if lang not in _SENTENCE:
            raise InputError(f"unknown language {lang!r} (known: en, vi)")
        margin = _MARGIN[lang][0 if self.guard_band == self.U else 1]
        return _SENTENCE[lang].format(
            word=_DECISION_WORD[lang][self.decision],
            reason=_REASON[lang][self.rule, self.decision].format(margin=margin),
            rule=_RULE_NAME[lang][self.rule],
            guard=self._guard_text(lang),
            clause=_CLAUSE[self.rule],
        )

    def _guard_text(self, lang: str) -> str:
        if self.rule == "simple":
            return ""
        if self.max_false_accept is not None:
            risk = f"{self.max_false_accept * 100:g} %"
            text = {
                "en": f" with w set for a specific false-accept risk of at most {risk}",
                "vi": f" với w chọn cho rủi ro chấp nhận sai riêng không quá {risk}",
            }[lang]
        elif self.r is not None:
            text = {"en": " with w = ", "vi": " với w = "}[lang] + f"{self.r:g}·U"
        else:
            text = {"en": " with w = ", "vi": " với w = "}[lang] + f"{self.guard_band:g}"
        return text.replace(".", ",") if lang == "vi" else text


def decide(
    value: Any,
    U: Any,
    lower: Any = None,
    upper: Any = None,
    rule: str = "simple",
    k: Any = 2,
    *,
    r: float = 1.0,
    guard_band: Any = None,
    max_false_accept: float | None = None,
) -> Verdict:
    """Decide whether ``value`` ± ``U`` conforms to [``lower``, ``upper``] by ``rule``.

    The guard band is w = r·U unless ``guard_band`` gives it, or ``max_false_accept`` asks for
    the w whose acceptance limit has that specific false-accept risk (JCGM 106 8.3.3).

    >>> decide(10.03, 0.04, 9.95, 10.05, rule="guarded_acceptance").decision  # 10.03 > 10.01
    'fail'
    >>> decide(10.03, 0.04, 9.95, 10.05).statement("vi")
    'Đạt: giá trị đo nằm trong giới hạn quy định. Quy tắc quyết định: chấp nhận đơn giản (w = 0) (ILAC-G8:09/2019 4.2.1).'
    """
    if rule not in RULES:
        raise InputError(f"unknown decision rule {rule!r} (known: {', '.join(RULES)})")
    y = _number(value, "the value")
    expanded = _number(U, "the expanded uncertainty U")
    k_value = _number(k, "the coverage factor k")
    if expanded < 0 or not math.isfinite(expanded) or not math.isfinite(y):
        raise InputError("the value and a non-negative expanded uncertainty must be finite")
    if k_value <= 0:
        raise InputError(f"the coverage factor k must be positive, not {k}")
    lo, hi = _limits(lower, upper)
    u = expanded / k_value

    ratio = None
    if rule == "simple":
        w, max_false_accept = 0.0, None
    elif max_false_accept is not None:
        w = guard_band_for_risk(u, max_false_accept, lower, upper)
    elif guard_band is not None:
        w = _number(guard_band, "the guard band")
    else:
        ratio = _number(r, "r")
        w = ratio * expanded
    if w < 0:
        raise InputError("the guard band must not be negative")

    if rule == "simple":
        decision = "pass" if lo <= y <= hi else "fail"
    elif rule == "guarded_acceptance":
        decision = "pass" if lo + w <= y <= hi - w else "fail"
    elif rule == "guarded_rejection":
        decision = "fail" if y < lo - w or y > hi + w else "pass"
    elif lo + w <= y <= hi - w:
        decision = "pass"
    elif lo <= y <= hi:
        decision = "conditional_pass"
    elif lo - w <= y <= hi + w:
        decision = "conditional_fail"
    else:
        decision = "fail"

    p_c = conformance_probability(y, u, lower, upper)
    passed = decision in ("pass", "conditional_pass")
    return Verdict(
        rule=rule,
        decision=decision,
        value=y,
        U=expanded,
        k=k_value,
        lower=None if lower is None else lo,
        upper=None if upper is None else hi,
        guard_band=w,
        r=ratio,
        max_false_accept=max_false_accept,
        probability_of_conformance=p_c,
        specific_risk=1.0 - p_c if passed else p_c,
    )


@dataclass(frozen=True)
class GlobalRisk:
    """Global (process) risks of a decision rule: PFA, PFR, and PFA among accepted items."""

    pfa: float
    pfr: float
    p_accept: float

    @property
    def cpfa(self) -> float:
        """Conditional PFA: the fraction of accepted items that do not conform."""
        return self.pfa / self.p_accept if self.p_accept > 0 else 0.0


def global_risk(
    lower: Any,
    upper: Any,
    u: float,
    process_sd: float,
    *,
    process_mean: float | None = None,
    guard_band: float = 0.0,
) -> GlobalRisk:
    """PFA and PFR when true values X ~ N(μ, σ_p²) are measured as Y | X ~ N(X, u²).

    PFA = P(X outside [T_L, T_U] and Y inside [T_L + w, T_U − w]); PFR the reverse (JCGM 106
    9.5.2; Deaver 1993). μ defaults to the middle of the tolerance.

    >>> round(global_risk(-2, 2, 0.25, 1.0).pfa, 6)  # Deaver 1993: SL = 2σ_p, TUR 4 -> 0.008
    0.008006
    """
    lo, hi = _limits(lower, upper)
    s_m, s_p = _number(u, "u"), _number(process_sd, "the process standard deviation")
    if s_m <= 0 or s_p <= 0:
        raise InputError("the measurement u and the process standard deviation must be positive")
    if process_mean is not None:
        mu = _number(process_mean, "the process mean")
    elif math.isfinite(lo) and math.isfinite(hi):
        mu = (lo + hi) / 2.0
    else:
        raise InputError("with a single limit, give the process mean")
    a_lo, a_hi = lo + guard_band, hi - guard_band

    def density(x: float) -> float:
        return math.exp(-0.5 * ((x - mu) / s_p) ** 2) / (s_p * math.sqrt(2.0 * math.pi))

    def accepted(x: float) -> float:
        return _phi((a_hi - x) / s_m) - _phi((a_lo - x) / s_m)

    reach = 12.0 * (s_p + s_m)
    left, right = max(lo, mu - reach), min(hi, mu + reach)

    def area(f: Any, a: float, b: float) -> float:
        if not a < b:
            return 0.0
        return float(integrate.quad(f, a, b, epsabs=1e-14, epsrel=1e-11, limit=200)[0])

    pfa = area(lambda x: density(x) * accepted(x), mu - reach, left) + area(
        lambda x: density(x) * accepted(x), right, mu + reach
    )
    pfr = area(lambda x: density(x) * (1.0 - accepted(x)), left, right)
    spread = math.hypot(s_p, s_m)
    p_accept = _phi((a_hi - mu) / spread) - _phi((a_lo - mu) / spread)
    return GlobalRisk(pfa=pfa, pfr=pfr, p_accept=p_accept)


def tur(lower: Any, upper: Any, U: float) -> float:
    """Test uncertainty ratio (T_U − T_L)/(2·U₉₅) (ANSI/NCSL Z540.3).

    >>> round(tur(9.95, 10.05, 0.0125), 9)
    4.0
    """
    lo, hi = _limits(lower, upper)
    if not (math.isfinite(lo) and math.isfinite(hi)) or U <= 0:
        raise InputError("a TUR needs both limits and a positive U")
    return (hi - lo) / (2.0 * U)


def capability_index(lower: Any, upper: Any, u: float) -> float:
    """Measurement capability index C_m = (T_U − T_L)/(4u) (JCGM 106 7.5)."""
    lo, hi = _limits(lower, upper)
    if not (math.isfinite(lo) and math.isfinite(hi)) or u <= 0:
        raise InputError("a capability index needs both limits and a positive u")
    return (hi - lo) / (4.0 * u)
