"""Intermediate checks through the API: a technician records them; one outside the control limits
set by the first five quarantines the standard, and the answer says so."""

import datetime as dt
from decimal import Decimal

import pytest

from standards.models import (
    FindingSource,
    IntermediateCheck,
    OutOfTolerance,
    Standard,
    StandardStatus,
)
from tests.api.test_standards_api import new_check, post
from tests.conftest import login

pytestmark = pytest.mark.django_db

BASELINE = ["100.000020", "100.000022", "100.000021", "100.000019", "100.000020"]


@pytest.fixture
def baseline(client, alice, weights, today):
    """Five checks of the 100 g, 30 to 10 days ago, through the API: they set the limits."""
    login(client, alice)
    answers = [
        post(
            client,
            "/api/checks/",
            new_check(weights, today - dt.timedelta(days=30 - 5 * i), value=value),
        )
        for i, value in enumerate(BASELINE)
    ]
    assert [answer.status_code for answer in answers] == [201] * 5
    return [answer.json() for answer in answers]


def test_the_baseline_checks_are_neither_in_nor_out_of_control(baseline, weights):
    for check in baseline:
        assert (check["in_control"], check["lower_limit"], check["quarantined"]) == (
            None,
            None,
            False,
        )
    assert Standard.objects.get(pk=weights.pk).status == StandardStatus.IN_SERVICE


def test_a_technician_records_a_check_inside_the_limits(client, alice, baseline, weights, today):
    response = post(client, "/api/checks/", new_check(weights, today, value="100.000021"))
    assert response.status_code == 201
    check = response.json()
    assert (check["in_control"], check["quarantined"]) == (True, False)
    assert check["centre"] == "100.000020400"  # mean of the baseline
    assert check["performed_by"] == str(alice)
    assert check["unit"] == "g"
    assert Standard.objects.get(pk=weights.pk).status == StandardStatus.IN_SERVICE


def test_a_check_outside_the_limits_quarantines_the_standard(
    client, alice, baseline, weights, today
):
    response = post(client, "/api/checks/", new_check(weights, today, value="100.000060"))
    assert response.status_code == 201
    check = response.json()
    assert (check["in_control"], check["quarantined"]) == (False, True)
    assert Decimal(check["upper_limit"]) < Decimal("100.000060")

    assert client.get(f"/api/standards/{weights.pk}/").json()["status"] == "quarantined"
    finding = OutOfTolerance.objects.get(standard=weights)
    assert (finding.source, finding.check_record_id) == (FindingSource.CHECK, check["id"])
    assert client.get(f"/api/checks/{check['id']}/").json()["in_control"] is False


def test_the_checks_list_filters_by_standard(client, alice, baseline, weights):
    listed = client.get(f"/api/checks/?standard={weights.pk}").json()
    assert listed["count"] == 5
    assert [row["value"] for row in listed["results"]] == [f"{v}000" for v in BASELINE]
    assert client.get(f"/api/checks/?standard={weights.pk + 1000}").json()["count"] == 0


BAD_CHECKS = {
    "nothing": (lambda s, on: {}, {"standard", "checked_on", "label", "value"}),
    "non-numeric value": (lambda s, on: new_check(s, on, value="abc"), {"value"}),
    "unknown standard": (lambda s, on: {**new_check(s, on), "standard": 999999}, {"standard"}),
    "not a date": (lambda s, on: {**new_check(s, on), "checked_on": "31/12/2025"}, {"checked_on"}),
    # Refused by check_record itself:
    "in the future": (
        lambda s, on: new_check(s, on + dt.timedelta(days=1)),
        {"non_field_errors"},
    ),
}


@pytest.mark.parametrize("case", BAD_CHECKS)
def test_a_bad_check_is_refused_with_field_messages_and_nothing_saved(
    client, alice, weights, today, case
):
    make, fields = BAD_CHECKS[case]
    response = post(login(client, alice), "/api/checks/", make(weights, today))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(response.json().values())
    assert IntermediateCheck.objects.count() == 0
