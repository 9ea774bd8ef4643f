from calibration import workflow as flow
from tests.conftest import login


def test_the_history_page_shows_who_when_why_and_what_changed(client, draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_return(calibration=draft, by=rita, reason="Thiếu điểm 50 g")
    login(client, rita)
    page = client.get(f"/history/calibration/{draft.pk}/").content.decode()
    assert "Thiếu điểm 50 g" in page
    assert "Lê Rita" in page and "Nguyễn Alice" in page
    assert "Submitted → Draft" in page  # choice labels, not stored codes


def test_every_write_through_a_service_records_the_acting_user(
    draft, alice, weights, quinn, balance
):
    assert draft.history.earliest().history_user == alice
    assert draft.points.first().history.earliest().history_user == alice
    assert weights.history.earliest().history_user == quinn
    assert balance.history.earliest().history_user == alice


def test_a_customer_user_cannot_read_history(client, draft, carol):
    login(client, carol)
    assert client.get(f"/history/calibration/{draft.pk}/").status_code == 403


def test_an_unknown_kind_of_record_is_404(client, rita, db):
    login(client, rita)
    assert client.get("/history/password/1/").status_code == 404
    assert client.get("/history/calibration/999/").status_code == 404
