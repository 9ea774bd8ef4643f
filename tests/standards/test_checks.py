"""Intermediate checks (ISO/IEC 17025 6.4.10): the first five after a recalibration set 3σ limits;
a check outside them quarantines the standard and opens a look-back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrology import stats
from standards.models import FindingSource, IntermediateCheck, OutOfTolerance, StandardStatus
from standards.services import CHECK_BASELINE, check_record
from traceability.lookback import affected_calibrations, look_back

BASELINE = ["0.000010", "0.000012", "0.000009", "0.000011", "0.000010"]


def q(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("1e-9"))


@pytest.fixture
def baseline(weights, alice, today):
    """Five checks of the 100 g of E2-01, 60 to 20 days ago: they set the limits."""
    checks = [
        check_record(
            standard=weights,
            checked_on=today - dt.timedelta(days=60 - 10 * i),
            label="100 g",
            value=value,
            by=alice,
        )
        for i, value in enumerate(BASELINE)
    ]
    return checks


@pytest.fixture
def limits():
    return stats.control_limits([Decimal(v) for v in BASELINE])


def test_the_baseline_checks_have_no_limits_yet(baseline):
    assert len(baseline) == CHECK_BASELINE == 5
    for check in baseline:
        assert (check.in_control, check.centre, check.lower_limit, check.upper_limit) == (
            None,
            None,
            None,
            None,
        )


def test_a_check_inside_the_3_sigma_limits_is_in_control(baseline, limits, weights, alice, today):
    check = check_record(
        standard=weights, checked_on=today, label="100 g", value="0.000011", by=alice
    )
    assert check.in_control is True
    assert check.centre == q(limits.center)
    assert check.lower_limit == q(limits.lower_action)
    assert check.upper_limit == q(limits.upper_action)
    # 3σ: the mean 10.4 µg ± 3 × 1.14 µg of the baseline
    assert limits.upper_action - limits.center == pytest.approx(3 * limits.sigma, rel=1e-12)
    weights.refresh_from_db()
    assert weights.status == StandardStatus.IN_SERVICE
    assert not OutOfTolerance.objects.exists()


def test_the_limits_stay_those_of_the_baseline(baseline, limits, weights, alice, today):
    for days, value in ((3, "0.000013"), (2, "0.000008"), (1, "0.000012")):
        check = check_record(
            standard=weights,
            checked_on=today - dt.timedelta(days=days),
            label="100 g",
            value=value,
            by=alice,
        )
        assert (check.lower_limit, check.upper_limit) == (
            q(limits.lower_action),
            q(limits.upper_action),
        )


def test_a_check_outside_quarantines_the_standard_and_opens_a_look_back(
    baseline, weights, alice, today
):
    check = check_record(
        standard=weights, checked_on=today, label="100 g", value="0.000020", by=alice
    )
    assert check.in_control is False
    # Baseline mean 10.4 µg, s = 1.140 µg: 3σ limits 6.979 µg and 13.821 µg, shown with two
    # decimals more than the value found (0.00002 g).
    assert (check.lower_limit, check.upper_limit) == (
        Decimal("0.000006979"),
        Decimal("0.000013821"),
    )
    reason = (
        f"Intermediate check of 100 g on {today:%d/%m/%Y} gave 0.00002 g, outside the control "
        "limits 0.0000070 to 0.0000138."
    )
    weights.refresh_from_db()
    assert weights.status == StandardStatus.QUARANTINED
    latest = weights.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "quarantined",
        alice,
        reason,
    )
    finding = OutOfTolerance.objects.get(standard=weights)
    assert finding.source == FindingSource.CHECK
    assert finding.check_record == check
    assert finding.found_on == today
    assert finding.description == reason
    # No check was in control yet: the certificate of 100 days ago is the last good day.
    assert finding.last_good_on == today - dt.timedelta(days=100)


def test_a_check_below_the_lower_limit_is_out_of_control_too(baseline, weights, alice, today):
    check = check_record(
        standard=weights, checked_on=today, label="100 g", value="0.000001", by=alice
    )
    assert check.in_control is False


def test_a_check_dated_in_the_future_is_refused(weights, alice, today):
    with pytest.raises(ValidationError, match="cannot be dated in the future"):
        check_record(
            standard=weights,
            checked_on=today + dt.timedelta(days=1),
            label="100 g",
            value="0.000010",
            by=alice,
        )
    assert not IntermediateCheck.objects.exists()


def test_a_customer_may_not_record_a_check(weights, carol, today):
    with pytest.raises(PermissionDenied):
        check_record(standard=weights, checked_on=today, label="100 g", value="0.000010", by=carol)


def test_each_point_has_its_own_limits(baseline, weights, alice, today):
    check = check_record(standard=weights, checked_on=today, label="200 g", value="0.5", by=alice)
    assert check.in_control is None


def test_the_label_is_matched_as_stored(baseline, weights, alice, today):
    check = check_record(
        standard=weights, checked_on=today, label=" 100 g ", value="0.000020", by=alice
    )
    assert check.label == "100 g"
    assert check.in_control is False


def test_the_look_back_of_a_check_shifts_the_checked_point_by_its_distance_from_the_centre(
    baseline, limits, draft, weights, alice, today
):
    check = check_record(
        standard=weights, checked_on=today, label="100 g", value="0.000020", by=alice
    )
    finding = OutOfTolerance.objects.get(check_record=check)
    assert list(affected_calibrations(finding)) == [draft]
    (row,) = look_back(finding)
    effects = {e.point.reference.label: e for e in row.effects}
    assert effects["100 g"].shift == Decimal("0.000020") - q(limits.center)
    assert effects["200 g"].shift is None  # not the point checked
