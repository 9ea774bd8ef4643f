import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from standards.due import due_within
from standards.services import standard_calibration_record, standard_register
from tests.conftest import login


@pytest.fixture
def register(quinn, vmi, today):
    """Three standards: due in 20 days, due in 75 days, never calibrated."""

    def make(asset, due_in, custodian=None):
        standard = standard_register(
            by=quinn,
            asset_number=asset,
            name=f"Chuẩn {asset}",
            quantity="mass",
            unit="g",
            custodian=custodian,
        )
        if due_in is not None:
            standard_calibration_record(
                standard=standard,
                provider=vmi,
                certificate_number=f"C-{asset}",
                calibrated_on=today - dt.timedelta(days=300),
                due_on=today + dt.timedelta(days=due_in),
                by=quinn,
                values=[
                    {"label": "1 g", "nominal": "1", "value": "1", "expanded_uncertainty": "0.001"}
                ],
            )
        return standard

    return make


def test_the_due_list_widens_with_the_window(register, today):
    register("S20", 20)
    register("S75", 75)
    register("NEVER", None)
    assert [s.asset_number for s in due_within(30, today=today)] == ["NEVER", "S20"]
    assert [s.asset_number for s in due_within(90, today=today)] == ["NEVER", "S20", "S75"]


def test_the_due_page_lists_them_for_lab_staff_only(client, register, alice, carol):
    register("S75", 75)
    login(client, alice)
    assert "S75" not in client.get("/standards/due/").content.decode()
    assert "S75" in client.get("/standards/due/?within=90").content.decode()
    assert client.get("/standards/due/?within=abc").status_code == 200
    login(client, carol)
    assert client.get("/standards/due/").status_code == 403


def test_reminders_go_to_each_custodian_and_the_rest_to_quality_managers(
    settings, register, alice, quinn
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice.email, quinn.email = "alice@lab.vn", "quinn@lab.vn"
    alice.save()
    quinn.save()
    register("S20", 20, custodian=alice)
    register("NEVER", None)
    register("S75", 75, custodian=alice)
    call_command("send_due_reminders", "--within", "30", stdout=open("/dev/null", "w"))
    sent = {message.to[0]: message.body for message in mail.outbox}
    assert set(sent) == {"alice@lab.vn", "quinn@lab.vn"}
    assert (
        "S20" in sent["alice@lab.vn"]
        and "NEVER" not in sent["alice@lab.vn"]
        and "S75" not in sent["alice@lab.vn"]
    )
    assert "NEVER" in sent["quinn@lab.vn"] and "never calibrated" in sent["quinn@lab.vn"]


def test_reminders_refuse_an_odd_window(db):
    with pytest.raises(CommandError, match="30, 60, 90"):
        call_command("send_due_reminders", "--within", "45")
