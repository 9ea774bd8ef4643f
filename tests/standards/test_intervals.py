"""Interval review: the staircase (from the findings) and the drift (from the values) both propose,
the shorter is proposed, and only the quality manager decides, once, with a reason."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrology import intervals
from standards.due import add_months
from standards.intervals import interval_decide, interval_propose
from standards.models import Conformity, IntervalReview, Standard
from standards.services import standard_calibration_record, standard_register, standard_update
from tests.conftest import login

MONTH = 365.25 / 12


def plain(data):
    """What a JSONField gives back."""
    return json.loads(json.dumps(data))


@pytest.fixture
def drifting(quinn, vmi, national_mass, today):
    """A 100 g of tolerance ±0.3 mg calibrated three years running, gaining 0.1 mg a year."""
    standard = standard_register(
        by=quinn,
        asset_number="E1-03",
        name="Quả cân 100 g E1",
        quantity="mass",
        unit="g",
        tolerance="0.0003",
    )
    for years, value in ((3, "100.000000"), (2, "100.000100"), (1, "100.000200")):
        standard_calibration_record(
            standard=standard,
            provider=vmi,
            national_standard=national_mass,
            certificate_number=f"V01.{26 - years}.0042",
            calibrated_on=today - dt.timedelta(days=365 * years),
            by=quinn,
            values=[
                {
                    "label": "100 g",
                    "nominal": "100",
                    "value": value,
                    "expanded_uncertainty": "0.00001",
                }
            ],
        )
    return standard


@pytest.fixture
def found_out(quinn, vmi, national_mass, today):
    """Calibrated twice; the second certificate found it out of tolerance as received."""
    standard = standard_register(
        by=quinn,
        asset_number="E2-11",
        name="Quả cân 1 kg E2",
        quantity="mass",
        unit="g",
        tolerance="0.0003",
    )
    for years, value, conformity in (
        (2, "100.000000", Conformity.CONFORMS),
        (1, "100.000050", Conformity.DOES_NOT_CONFORM),
    ):
        standard_calibration_record(
            standard=standard,
            provider=vmi,
            national_standard=national_mass,
            certificate_number=f"V01.{26 - years}.0077",
            calibrated_on=today - dt.timedelta(days=365 * years),
            conformity=conformity,
            by=quinn,
            values=[
                {
                    "label": "100 g",
                    "nominal": "100",
                    "value": value,
                    "expanded_uncertainty": "0.00001",
                }
            ],
        )
    return standard


def expected_drift(standard):
    incoming = standard.calibrations.order_by("calibrated_on")
    values = [c.values.get() for c in incoming]
    return intervals.drift(
        [c.calibrated_on for c in incoming],
        [float(v.value) for v in values],
        [float(v.expanded_uncertainty) for v in values],
        [2.0] * len(values),
        lower=100 - 0.0003,
        upper=100 + 0.0003,
    )


def test_a_drift_toward_the_limit_proposes_a_shorter_interval_than_the_staircase(drifting, quinn):
    review = interval_propose(standard=drifting, by=quinn)
    staircase = intervals.staircase(365, [True, True, True])  # 12 months = 365 days
    drift = expected_drift(drifting)
    assert review.staircase == plain(staircase.as_dict())
    assert review.drift == plain({"label": "100 g", **drift.as_dict()})
    assert staircase.proposed_interval_days == 401  # 365 × 1.1, rounded down
    assert drift.reason == "drift_toward_limit"
    drift_months = int(drift.proposed_interval_days // MONTH)
    assert drift_months < 13 == int(401 // MONTH)
    assert (review.current_months, review.proposed_months) == (12, drift_months)
    assert (drift.proposed_interval_days, drift_months) == (321, 10)
    assert not review.is_decided


def test_an_out_of_tolerance_finding_proposes_the_staircases_halving(found_out, quinn):
    review = interval_propose(standard=found_out, by=quinn)
    staircase = intervals.staircase(365, [True, False])
    assert staircase.proposed_interval_days == 182
    drift = expected_drift(found_out)
    assert review.staircase == plain(staircase.as_dict())
    assert review.drift == plain({"label": "100 g", **drift.as_dict()})
    assert drift.proposed_interval_days > 182
    assert review.proposed_months == 5  # 182 days, whole months on the shorter side


def test_a_drift_that_takes_centuries_proposes_no_more_than_can_be_decided(
    quinn, vmi, national_mass, today
):
    """Tolerance entered after the certificates: no staircase (none stated a finding), and the
    drift of 0.01 mg a year reaches ±0.3 g only after millennia."""
    slow = standard_register(
        by=quinn, asset_number="E2-12", name="Quả cân 100 g", quantity="mass", unit="g"
    )
    for years, value in ((2, "100.000000"), (1, "100.000010")):
        standard_calibration_record(
            standard=slow,
            provider=vmi,
            national_standard=national_mass,
            certificate_number=f"V01.{26 - years}.0500",
            calibrated_on=today - dt.timedelta(days=365 * years),
            by=quinn,
            values=[
                {
                    "label": "100 g",
                    "nominal": "100",
                    "value": value,
                    "expanded_uncertainty": "0.000001",
                }
            ],
        )
    standard_update(standard=slow, by=quinn, reason="MPE entered", tolerance="0.3")
    review = interval_propose(standard=slow, by=quinn)
    assert review.staircase is None
    assert review.drift["proposed_interval_days"] > 120 * MONTH  # kept as computed
    assert review.proposed_months == 120
    interval_decide(review=review, months=review.proposed_months, reason="As proposed", by=quinn)


def test_a_standard_without_history_has_nothing_to_review(weights, quinn):
    with pytest.raises(ValidationError, match="no history to review its interval from"):
        interval_propose(standard=weights, by=quinn)
    assert not IntervalReview.objects.exists()


def test_a_new_review_waits_for_the_decision_on_the_pending_one(drifting, quinn):
    first = interval_propose(standard=drifting, by=quinn)
    with pytest.raises(ValidationError, match="Awaiting the quality manager's decision"):
        interval_propose(standard=drifting, by=quinn)
    assert drifting.interval_reviews.count() == 1
    interval_decide(review=first, months=10, reason="As proposed", by=quinn)
    second = interval_propose(standard=drifting, by=quinn)
    assert second.current_months == 10


def test_a_technician_may_not_propose(drifting, alice):
    with pytest.raises(PermissionDenied):
        interval_propose(standard=drifting, by=alice)


@pytest.fixture
def review(drifting, quinn):
    return interval_propose(standard=drifting, by=quinn)


@pytest.mark.parametrize("persona", ["alice", "rita", "adam"])
def test_only_the_quality_manager_decides(review, drifting, persona, request):
    with pytest.raises(PermissionDenied):
        interval_decide(
            review=review, months=9, reason="Drift", by=request.getfixturevalue(persona)
        )
    review.refresh_from_db()
    assert not review.is_decided
    assert Standard.objects.get(pk=drifting.pk).calibration_interval_months == 12


def test_a_decision_needs_a_reason(review, drifting, quinn):
    with pytest.raises(ValidationError, match="Give the reason"):
        interval_decide(review=review, months=9, reason="  ", by=quinn)
    review.refresh_from_db()
    assert not review.is_decided
    assert Standard.objects.get(pk=drifting.pk).calibration_interval_months == 12


@pytest.mark.parametrize("months", [0, 121])
def test_a_decision_outside_1_to_120_months_is_refused(review, quinn, months):
    with pytest.raises(ValidationError, match="between 1 and 120"):
        interval_decide(review=review, months=months, reason="Drift", by=quinn)


def test_the_decision_sets_the_interval_and_keeps_both_computations(
    review, drifting, quinn, vmi, national_mass, today
):
    decided = interval_decide(
        review=review, months=9, reason="Drift of 0.1 mg a year; keep a margin", by=quinn
    )
    assert (decided.decided_months, decided.decided_by, decided.is_decided) == (9, quinn, True)
    drifting.refresh_from_db()
    assert drifting.calibration_interval_months == 9
    latest = drifting.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        quinn,
        "Interval decided: Drift of 0.1 mg a year; keep a margin",
    )
    history = list(decided.history.order_by("history_date", "history_id"))
    assert [h.decided_months for h in history] == [None, 9]
    assert history[0].history_change_reason == "Interval review proposed"
    assert history[1].history_change_reason == "Drift of 0.1 mg a year; keep a margin"
    assert all(h.staircase and h.drift for h in history)
    assert history[1].staircase == review.staircase and history[1].drift == review.drift
    # The next certificate recorded without a due date is due after the decided interval.
    calibrated = today - dt.timedelta(days=1)
    incoming = standard_calibration_record(
        standard=drifting,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.26.0042",
        calibrated_on=calibrated,
        by=quinn,
        values=[
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.0",
                "expanded_uncertainty": "0.00001",
            }
        ],
    )
    assert incoming.due_on == add_months(calibrated, 9)


def test_a_second_decision_is_refused(review, drifting, quinn):
    interval_decide(review=review, months=9, reason="Drift", by=quinn)
    with pytest.raises(ValidationError, match="already been decided"):
        interval_decide(review=review, months=6, reason="Changed my mind", by=quinn)
    review.refresh_from_db()
    drifting.refresh_from_db()
    assert (review.decided_months, drifting.calibration_interval_months) == (9, 9)


def test_the_interval_page_offers_the_decision_to_the_quality_manager_only(
    client, review, drifting, quinn, rita
):
    login(client, rita)
    assert client.get(f"/standards/{drifting.pk}/interval/").context["form"] is None
    url = f"/standards/interval-reviews/{review.pk}/decide/"
    assert client.post(url, {"months": "9", "reason": "Drift"}).status_code == 403
    login(client, quinn)
    assert client.get(f"/standards/{drifting.pk}/interval/").context["form"] is not None
    assert client.post(url, {"months": "9", "reason": "Drift"}).status_code == 302
    assert Standard.objects.get(pk=drifting.pk).calibration_interval_months == 9
