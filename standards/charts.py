"""The pictures of a standard: the drift of its calibrated values and the control chart of its checks.

Server-rendered SVG (lims.charts) with the page's language: labels translated here, numbers with
the decimal comma on Vietnamese pages.
"""

import datetime as dt
from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lims import charts
from metrology.reporting import format_number
from standards.intervals import drift_of, series, tolerance_of
from standards.models import IntermediateCheck, Standard


def _number(value: Decimal) -> str:
    lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return format_number(value, lang)


def _date(day: dt.date, granularity: str) -> str:
    return {"year": f"{day:%Y}", "month": f"{day:%m/%Y}"}.get(granularity, f"{day:%d/%m/%Y}")


def drift_svg(standard: Standard, label: str, points=None) -> str:
    points = points if points is not None else series(standard).get(label, [])
    latest = points[-1][1] if points else None
    tolerance = tolerance_of(standard, latest) if latest else None
    prediction = crossing = None
    fit = drift_of(standard, label, points) if points else None
    if fit is not None:
        end = fit.conservative_crossing or points[-1][0] + dt.timedelta(days=365)
        end = min(end, points[-1][0] + dt.timedelta(days=3 * 365))
        start = points[0][0]
        prediction = (start, fit.predict(start)[0], end, fit.predict(end)[0])
        crossing = fit.conservative_crossing
    return mark_safe(  # noqa: S308 (lims.charts escapes every text)
        charts.drift_chart(
            [(day, value.value, value.expanded_uncertainty) for day, value in points],
            unit=standard.unit,
            nominal=latest.nominal if latest else None,
            lower=latest.nominal - tolerance if tolerance is not None else None,
            upper=latest.nominal + tolerance if tolerance is not None else None,
            prediction=prediction,
            crossing=crossing,
            title=_("Drift of %(standard)s, %(label)s")
            % {"standard": standard.asset_number, "label": label},
            labels={
                "x": _("Calibration date"),
                "y": _("Calibrated value"),
                "value": _("Calibrated value ± U"),
                "tolerance": _("Tolerance"),
                "nominal": _("Nominal value"),
                "prediction": _("Drift line"),
                "crossing": _("Predicted to reach the tolerance"),
                "no_data": _("No calibration yet"),
            },
            number=_number,
            date_label=_date,
        )
    )


def control_svg(standard: Standard, label: str, checks: list[IntermediateCheck]) -> str:
    with_limits = [c for c in checks if c.centre is not None]
    limits = with_limits[-1] if with_limits else None
    kwargs = {}  # no limits while the first checks set them
    if limits is not None:
        sigma = (limits.upper_limit - limits.centre) / 3
        kwargs = {
            "centre": limits.centre,
            "ucl": limits.upper_limit,
            "lcl": limits.lower_limit,
            "uwl": limits.centre + 2 * sigma,
            "lwl": limits.centre - 2 * sigma,
        }
    return mark_safe(  # noqa: S308 (lims.charts escapes every text)
        charts.control_chart(
            [(c.checked_on, c.value) for c in checks],
            unit=standard.unit,
            title=_("Intermediate checks of %(standard)s, %(label)s")
            % {"standard": standard.asset_number, "label": label},
            labels={
                "x": _("Date of the check"),
                "y": _("Value found"),
                "value": _("Check"),
                "out": _("Out of control"),
                "centre": _("Centre line"),
                "limits": _("Control limits (3σ)"),
                "warning": _("Warning limits (2σ)"),
                "no_data": _("No check yet"),
            },
            number=_number,
            date_label=_date,
            **kwargs,
        )
    )
