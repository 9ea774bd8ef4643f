"""The recall interval is the customer's decision, with its reason, kept in the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.services import instrument_recall_set, recall_history
from tests.conftest import login


def test_a_customers_user_sets_changes_and_clears_the_interval_with_a_reason(balance, carol):
    instrument_recall_set(instrument=balance, months=12, by=carol, reason="Kế hoạch 2026")
    instrument_recall_set(instrument=balance, months=6, by=carol, reason="Drift seen in 2026")
    instrument_recall_set(instrument=balance, months=None, by=carol, reason="Taken out of use")
    balance.refresh_from_db()
    assert balance.recall_months is None
    changes = recall_history(balance)
    assert [(c["before"], c["after"], c["reason"]) for c in changes] == [
        (6, None, "Taken out of use"),
        (12, 6, "Drift seen in 2026"),
        (None, 12, "Kế hoạch 2026"),
    ]
    assert {c["by"] for c in changes} == {carol}


@pytest.mark.parametrize(
    ("months", "reason", "message"),
    [
        (12, "  ", "Say why"),
        (0, "x", "from 1 to 120 months"),
        (121, "x", "from 1 to 120 months"),
    ],
)
def test_it_refuses_an_interval_without_reason_or_out_of_range(
    balance, carol, months, reason, message
):
    with pytest.raises(ValidationError, match=message):
        instrument_recall_set(instrument=balance, months=months, by=carol, reason=reason)
    balance.refresh_from_db()
    assert balance.recall_months is None
    assert recall_history(balance) == []


def test_setting_the_same_interval_again_changes_nothing(balance, carol):
    instrument_recall_set(instrument=balance, months=12, by=carol, reason="Plan")
    with pytest.raises(ValidationError, match="already"):
        instrument_recall_set(instrument=balance, months=12, by=carol, reason="Plan")
    assert len(recall_history(balance)) == 1


def test_the_lab_never_sets_a_customers_interval(balance, rita, quinn, alice, adam):
    for person in (rita, quinn, alice, adam):
        with pytest.raises(PermissionDenied):
            instrument_recall_set(instrument=balance, months=12, by=person, reason="Advice")


def test_another_customers_user_cannot_set_it(balance, oscar, client):
    with pytest.raises(PermissionDenied):
        instrument_recall_set(instrument=balance, months=12, by=oscar, reason="x")
    response = login(client, oscar).post(
        f"/portal/instruments/{balance.pk}/recall/", {"months": "3", "reason": "x"}
    )
    assert response.status_code == 404
    balance.refresh_from_db()
    assert balance.recall_months is None


def test_the_page_sets_the_interval_and_shows_its_changes(client, balance, carol):
    login(client, carol)
    url = f"/portal/instruments/{balance.pk}/recall/"
    response = client.post(url, {"months": "12", "reason": "Dùng hằng ngày / used daily"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    balance.refresh_from_db()
    assert balance.recall_months == 12
    html = client.get(url).content.decode()
    assert "Dùng hằng ngày / used daily" in html.split('data-testid="recall-history"')[1]
    assert 'value="12"' in html


def test_the_page_shows_a_refusal_and_saves_nothing(client, balance, carol):
    login(client, carol)
    url = f"/portal/instruments/{balance.pk}/recall/"
    response = client.post(url, {"months": "0", "reason": "x"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1" in response.content.decode()
    response = client.post(url, {"months": "abc", "reason": ""})
    assert response.status_code == 200
    balance.refresh_from_db()
    assert balance.recall_months is None
