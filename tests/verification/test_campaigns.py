"""On-site campaigns: planning one, recording its rows once however often they are sent, closing
it, signing its rows in one go, and a summary that counts what the rows say."""

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from lims.models import Role
from standards.services import standard_set_status
from tests.conftest import PASSWORD, login, make_user
from verification.campaign_entry import cells_from, layout
from verification.campaigns import (
    campaign_close,
    campaign_create,
    campaign_row_record,
    campaign_rows_sign,
    campaign_summary,
    campaign_update,
    serial_runs,
)
from verification.marks import mark_write_off
from verification.models import Campaign, Mark, MarkState, Verification, VerificationState

pytestmark = pytest.mark.django_db

SPEC = {"max": "30", "e": "0.005", "class": "III", "unit": "kg"}


def good_cells(spec=SPEC):
    """Every reading equal to its load (discrimination: one d more): the scale passes."""
    cells = {}
    for cell in layout("oiml_r76", spec):
        test, index, column = cell["name"].split(".")
        load = cell["label"].split(" ")[0]
        if test == "eccentricity":
            load = cell["label"].split(" · ")[1].split(" ")[0]
        if column == "after":
            load = str(float(load) + 0.005)
        cells[cell["name"]] = load
    return cells


def failing_cells(spec=SPEC):
    cells = good_cells(spec)
    cells["weighing.3.indication"] = "30.2"  # 200 g off at 30 kg: MPE 7.5 g
    return cells


def readings_of(cells):
    from verification.campaign_entry import tests_from

    return tests_from("oiml_r76", SPEC, cells)


@pytest.fixture
def campaign(rita, verifier, bob, scale_type, weights_m1, today):
    return campaign_create(
        by=rita,
        name="Kiểm định cân chợ Đầm 2026",
        site="Chợ Đầm Quy Nhơn",
        address="Phường Trần Phú",
        province="Bình Định",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
        leader=rita,
        team=[verifier, bob],
        standards=[weights_m1],
    )


def record(campaign, by, scale_type, today, *, key=None, cells=None, serial="S-1", mark=""):
    return campaign_row_record(
        campaign=campaign,
        by=by,
        client_key=key or uuid.uuid4(),
        instrument_type=scale_type,
        owner="Bà Nguyễn Thị Lan",
        stall="A-12",
        serial_number=serial,
        verified_on=today,
        specification=dict(SPEC),
        tests=readings_of(cells or good_cells()),
        kind="periodic",
        manufacturer="Nhơn Hòa",
        mark_serial=mark,
    )


# --- Planning -----------------------------------------------------------------------------------


def test_a_campaign_is_planned_with_its_leader_on_the_team(campaign, rita, verifier, bob):
    assert set(campaign.team.all()) == {rita, verifier, bob}
    assert campaign.history.first().history_change_reason == "Campaign planned"
    assert campaign.history.first().history_user == rita


def test_a_technician_cannot_plan_a_campaign(alice, weights_m1, today):
    with pytest.raises(PermissionDenied):
        campaign_create(
            by=alice,
            name="x",
            site="Chợ",
            province="Bình Định",
            starts_on=today,
            ends_on=today,
            leader=alice,
            team=[],
            standards=[weights_m1],
        )
    assert not Verification.objects.exists()


def test_a_standard_that_falls_due_during_the_campaign_is_refused(rita, weights_m1, today):
    with pytest.raises(ValidationError) as refusal:
        campaign_create(
            by=rita,
            name="Chợ Lớn",
            site="Chợ Lớn",
            province="Bình Định",
            starts_on=today,
            ends_on=today + dt.timedelta(days=310),  # the M1 set falls due in 305 days
            leader=rita,
            team=[],
            standards=[weights_m1],
        )
    message = " ".join(refusal.value.messages)
    assert "overdue" in message
    assert (today + dt.timedelta(days=310)).strftime("%d/%m/%Y") in message


def test_a_standard_out_of_service_is_refused(rita, quinn, weights_m1, today):
    standard_set_status(standard=weights_m1, status="quarantined", by=quinn, reason="Dropped")
    with pytest.raises(ValidationError, match="quarantined"):
        campaign_create(
            by=rita,
            name="Chợ",
            site="Chợ",
            province="Bình Định",
            starts_on=today,
            ends_on=today,
            leader=rita,
            team=[],
            standards=[weights_m1],
        )


def test_a_customer_user_cannot_be_on_the_team(rita, carol, weights_m1, today):
    with pytest.raises(ValidationError, match="Only the lab's staff"):
        campaign_create(
            by=rita,
            name="Chợ",
            site="Chợ",
            province="Bình Định",
            starts_on=today,
            ends_on=today,
            leader=rita,
            team=[carol],
            standards=[weights_m1],
        )


def test_a_change_needs_a_reason_and_keeps_the_rows_within_the_dates(
    campaign, rita, verifier, scale_type, weights_m1, today
):
    record(campaign, verifier, scale_type, today)
    fields = dict(
        name=campaign.name,
        site=campaign.site,
        province=campaign.province,
        leader=rita,
        team=[verifier],
        standards=[weights_m1],
    )
    with pytest.raises(ValidationError, match="Say why"):
        campaign_update(
            campaign=campaign, by=rita, reason=" ", starts_on=today, ends_on=today, **fields
        )
    tomorrow = today + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="1 rows of this campaign were verified outside"):
        campaign_update(
            campaign=campaign,
            by=rita,
            reason="Moved",
            starts_on=tomorrow,
            ends_on=tomorrow,
            **fields,
        )
    campaign_update(
        campaign=campaign, by=rita, reason="One day only", starts_on=today, ends_on=today, **fields
    )
    campaign.refresh_from_db()
    assert (campaign.starts_on, campaign.ends_on) == (today, today)
    assert campaign.history.first().history_change_reason == "One day only"


# --- Rows ---------------------------------------------------------------------------------------


def test_a_row_sent_twice_is_recorded_once(campaign, verifier, scale_type, today):
    key = uuid.uuid4()
    first, created = record(campaign, verifier, scale_type, today, key=key, mark="a0000007")
    again, created_again = record(campaign, verifier, scale_type, today, key=key, serial="other")
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Verification.objects.filter(client_key=key).count() == 1
    assert again.serial_number == "S-1"  # the second send changed nothing
    assert first.mark_serial == "A0000007"
    assert first.campaign == campaign and first.verifier == verifier
    assert first.address == "Chợ Đầm Quy Nhơn, Phường Trần Phú"
    assert first.province == "Bình Định"
    assert list(first.standards.all()) == list(campaign.standards.all())


def test_a_row_is_refused_after_closing_but_a_resend_of_an_earlier_row_is_not(
    campaign, rita, verifier, scale_type, today
):
    key = uuid.uuid4()
    record(campaign, verifier, scale_type, today, key=key)
    with pytest.raises(ValidationError, match="Say why"):
        campaign_close(campaign=campaign, by=rita, reason="")
    campaign_close(campaign=campaign, by=rita, reason="Every stall visited")
    with pytest.raises(ValidationError, match="closed"):
        record(campaign, verifier, scale_type, today)
    _, created = record(campaign, verifier, scale_type, today, key=key)
    assert not created
    assert campaign.verifications.count() == 1
    with pytest.raises(ValidationError, match="closed"):
        campaign_close(campaign=campaign, by=rita, reason="Again")


def test_only_a_member_of_the_team_records_rows(campaign, scale_type, today, db):
    dana = make_user("dana", Role.TECHNICIAN)
    with pytest.raises(PermissionDenied):
        record(campaign, dana, scale_type, today)
    assert not campaign.verifications.exists()


def test_a_row_outside_the_dates_is_refused(campaign, verifier, scale_type, today):
    with pytest.raises(ValidationError, match="outside the campaign"):
        campaign_row_record(
            campaign=campaign,
            by=verifier,
            client_key=uuid.uuid4(),
            instrument_type=scale_type,
            owner="Ông Trần Văn Hùng",
            serial_number="S-9",
            verified_on=today - dt.timedelta(days=5),
            specification=dict(SPEC),
            tests=readings_of(good_cells()),
            kind="periodic",
        )


def test_a_failed_instrument_gets_no_mark(campaign, verifier, scale_type, today):
    with pytest.raises(ValidationError, match="gets no mark"):
        record(campaign, verifier, scale_type, today, cells=failing_cells(), mark="A0000001")
    assert not campaign.verifications.exists()


# --- Signing and the summary --------------------------------------------------------------------


def test_the_verifier_signs_the_rows_with_the_marks_noted_and_hears_each_refusal(
    campaign, quinn, verifier, scale_type, marks, today
):
    passed, _ = record(campaign, verifier, scale_type, today, serial="S-1", mark="A0000010")
    failed, _ = record(campaign, verifier, scale_type, today, serial="S-2", cells=failing_cells())
    spoiled, _ = record(campaign, verifier, scale_type, today, serial="S-3", mark="A0000011")
    untagged, _ = record(campaign, verifier, scale_type, today, serial="S-4")
    mark_write_off(serial="A0000011", state=MarkState.SPOILED, by=quinn, reason="Torn")

    with pytest.raises(ValidationError, match="password is not right"):
        campaign_rows_sign(campaign=campaign, by=verifier, password="wrong")
    assert not campaign.verifications.filter(state=VerificationState.ISSUED).exists()

    outcome, remaining = campaign_rows_sign(campaign=campaign, by=verifier, password=PASSWORD)
    refusals = {row.serial_number: refusal for row, refusal in outcome}
    assert refusals["S-1"] is None and refusals["S-2"] is None and refusals["S-4"] is None
    assert "A0000011" in refusals["S-3"] and "spoiled" in refusals["S-3"]
    assert Mark.objects.get(serial="A0000010").verification_id == passed.pk
    assert Mark.objects.get(serial="A0000001").verification_id == untagged.pk  # lowest in stock
    failed.refresh_from_db()
    assert failed.number.startswith("TB-") and not failed.marks.exists()
    # the refused row waits for the next signing
    assert [v.pk for v in campaign.verifications.filter(state=VerificationState.DRAFT)] == [
        spoiled.pk
    ]


def test_another_verifier_signs_only_their_own_rows(campaign, verifier, bob, scale_type, today):
    record(campaign, verifier, scale_type, today)
    with pytest.raises(ValidationError, match="no unsigned row"):
        campaign_rows_sign(campaign=campaign, by=bob, password=PASSWORD)


def test_the_summary_counts_what_the_rows_say(
    campaign, verifier, scale_type, marks, today, weights_m1, rita
):
    for n in range(7):
        record(
            campaign,
            verifier,
            scale_type,
            today,
            serial=f"S-{n}",
            cells=failing_cells() if n in (2, 5) else good_cells(),
            mark=f"A00000{20 + n}" if n not in (2, 5, 6) else "",
        )
    campaign_rows_sign(campaign=campaign, by=verifier, password=PASSWORD, limit=4)
    other = campaign_create(
        by=rita,
        name="Chợ Lớn",
        site="Chợ Lớn",
        province="Bình Định",
        starts_on=today,
        ends_on=today,
        leader=rita,
        team=[verifier],
        standards=[weights_m1],
    )
    record(other, verifier, scale_type, today, serial="elsewhere")

    summary = campaign_summary(campaign)
    rows = Verification.objects.filter(campaign=campaign)
    assert summary.verified == rows.count() == 7
    assert summary.passed == rows.filter(passed=True).count() == 5
    assert summary.failed == rows.filter(passed=False).count() == 2
    assert summary.pending == 0
    assert summary.signed == rows.filter(state="issued").count() == 4
    used = Mark.objects.filter(verification__campaign=campaign).order_by("serial")
    assert list(summary.marks) == [m.serial for m in used]
    assert summary.marks_used == used.count() == 3  # four signed, one of them failed
    assert summary.mark_runs == ("A0000020–A0000021", "A0000023")
    by_type = rows.values("instrument_type__code").annotate(n=Count("pk"))
    assert [(line.code, line.verified, line.passed, line.failed) for line in summary.by_type] == [
        (by_type[0]["instrument_type__code"], 7, 5, 2)
    ]


def test_serial_runs_join_consecutive_serials_of_a_series():
    assert serial_runs([]) == []
    assert serial_runs(["A0000009", "A0000010", "B0000011", "A0000012"]) == [
        "A0000009–A0000010",
        "A0000012",
        "B0000011",
    ]


# --- The endpoints of the entry page ------------------------------------------------------------


def row_body(scale_type, **changes):
    body = {
        "key": str(uuid.uuid4()),
        "type": str(scale_type.pk),
        "kind": "periodic",
        "owner": "Bà Lê Thị Hoa",
        "stall": "B-3",
        "manufacturer": "Nhơn Hòa",
        "model": "",
        "serial": "NH-0042",
        "spec": dict(SPEC),
        "cells": good_cells(),
        "mark": "",
        "verified_on": timezone.localdate().isoformat(),
    }
    body.update(changes)
    return body


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_row_posted_twice_is_one_verification(client, campaign, verifier, scale_type, marks):
    login(client, verifier)
    url = f"/verification/campaigns/{campaign.pk}/rows/"
    body = row_body(scale_type, mark="A0000003")
    first = post_json(client, url, body)
    assert first.status_code == 201
    again = post_json(client, url, body)
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["passed"] is True and first.json()["mark"] == "A0000003"
    assert Verification.objects.filter(client_key=body["key"]).count() == 1

    rows = client.get(url).json()["rows"]
    assert [row["key"] for row in rows] == [body["key"]]
    assert rows[0]["cells"] == body["cells"]
    assert rows[0]["spec"] == SPEC


def test_a_bad_row_comes_back_with_a_message_per_field(
    client, campaign, verifier, scale_type, marks
):
    login(client, verifier)
    other, _ = record(campaign, verifier, scale_type, timezone.localdate(), mark="A0000004")
    cells = good_cells()
    cells["weighing.1.indication"] = "2,5,1"
    del cells["eccentricity.0.indication"]
    body = row_body(scale_type, owner="", stall="", serial="", cells=cells, mark="A0000004")
    response = post_json(client, f"/verification/campaigns/{campaign.pk}/rows/", body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"owner", "serial", "readings", "mark"}
    assert any("must be a number" in m for m in errors["readings"])
    assert any("is missing" in m for m in errors["readings"])
    assert "already noted on another instrument" in errors["mark"][0]
    assert other.serial_number in errors["mark"][0]
    body = row_body(scale_type, spec={**SPEC, "class": "V"})
    errors = post_json(client, f"/verification/campaigns/{campaign.pk}/rows/", body).json()[
        "errors"
    ]
    assert "accuracy class" in errors["spec"][0]
    cells = {**good_cells(), "weighing.0.indication": "0." + "1" * 60}
    body = row_body(scale_type, cells=cells, verified_on="21/11/2026")
    errors = post_json(client, f"/verification/campaigns/{campaign.pk}/rows/", body).json()[
        "errors"
    ]
    assert errors["verified_on"] == ["The day of verification is not a date."]
    assert "longer than 40 characters" in errors["readings"][0]
    response = client.post(
        f"/verification/campaigns/{campaign.pk}/rows/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert campaign.verifications.count() == 1


def test_a_failed_row_with_a_mark_is_refused(client, campaign, verifier, scale_type, marks):
    login(client, verifier)
    body = row_body(scale_type, cells=failing_cells(), mark="A0000001")
    response = post_json(client, f"/verification/campaigns/{campaign.pk}/rows/", body)
    assert response.status_code == 400
    assert "gets no mark" in response.json()["errors"]["mark"][0]


def test_the_preview_gives_the_readings_asked_and_the_verdict(
    client, campaign, verifier, scale_type
):
    login(client, verifier)
    url = f"/verification/campaigns/{campaign.pk}/preview/"
    answer = post_json(client, url, {"type": str(scale_type.pk), "spec": SPEC, "cells": {}}).json()
    names = [cell["name"] for cell in answer["layout"]]
    assert names[:4] == [f"weighing.{i}.indication" for i in range(4)]
    assert answer["layout"][3]["label"] == "30 kg"
    assert answer["layout"][4]["label"] == "centre · 10 kg"
    assert answer["missing"] == len(names) == 16
    passing = post_json(
        client, url, {"type": str(scale_type.pk), "spec": SPEC, "cells": good_cells()}
    ).json()
    assert passing["verdict"]["passed"] is True
    failing = post_json(
        client, url, {"type": str(scale_type.pk), "spec": SPEC, "cells": failing_cells()}
    ).json()
    assert failing["verdict"] == {
        "passed": False,
        "failed": ["Weighing"],
        "cells": failing["verdict"]["cells"],
    }
    assert failing["verdict"]["cells"]["weighing.3.indication"]["passed"] is False
    bad = post_json(client, url, {"type": str(scale_type.pk), "spec": {**SPEC, "e": "7"}}).json()
    assert bad["errors"]["spec"]
    assert not Verification.objects.exists()


def test_cells_read_back_from_recorded_tests_are_the_cells_typed():
    cells = good_cells()
    assert cells_from("oiml_r76", readings_of(cells)) == cells


@pytest.mark.parametrize(
    ("persona", "entry", "rows"),
    [("verifier", 200, 201), ("rita", 200, 201), ("dana", 403, 403), ("carol", 403, 403)],
)
def test_who_may_use_the_entry_page(
    client, campaign, scale_type, verifier, rita, carol, persona, entry, rows
):
    people = {"verifier": verifier, "rita": rita, "carol": carol}
    people["dana"] = make_user("dana", Role.TECHNICIAN)  # not on the team
    login(client, people[persona])
    assert client.get(f"/verification/campaigns/{campaign.pk}/entry/").status_code == entry
    response = post_json(
        client, f"/verification/campaigns/{campaign.pk}/rows/", row_body(scale_type)
    )
    assert response.status_code == rows
    assert campaign.verifications.count() == (1 if rows == 201 else 0)


def test_the_campaign_page_shows_the_summary(client, campaign, verifier, scale_type, rita, today):
    record(campaign, verifier, scale_type, today)
    record(campaign, verifier, scale_type, today, cells=failing_cells(), serial="S-2")
    html = login(client, rita).get(f"/verification/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="verified">2<' in html
    assert 'data-testid="passed" class="ok">1<' in html
    assert 'data-testid="failed" class="bad">1<' in html
    assert "Chợ Đầm Quy Nhơn" in html


def test_the_sign_page_signs_with_the_password_once(
    client, campaign, verifier, scale_type, marks, today
):
    for n in range(3):
        record(campaign, verifier, scale_type, today, serial=f"S-{n}")
    login(client, verifier)
    url = f"/verification/campaigns/{campaign.pk}/sign/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"password": "not mine"})
    assert refused.status_code == 400
    assert "The password is not right" in refused.content.decode()
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    assert campaign.verifications.filter(state="issued").count() == 3


def test_the_sign_page_answers_in_parts(client, campaign, verifier, scale_type, marks, today):
    rows = [record(campaign, verifier, scale_type, today, serial=f"S-{n}")[0] for n in range(3)]
    login(client, verifier)
    url = f"/verification/campaigns/{campaign.pk}/sign/"
    answer = client.post(
        url, {"password": PASSWORD, "limit": "2"}, HTTP_ACCEPT="application/json"
    ).json()
    assert [row["pk"] for row in answer["rows"]] == [rows[0].pk, rows[1].pk]
    assert answer["remaining"] == 1
    answer = client.post(
        url,
        {"password": PASSWORD, "limit": "2", "after": answer["last"]},
        HTTP_ACCEPT="application/json",
    ).json()
    assert [row["pk"] for row in answer["rows"]] == [rows[2].pk]
    assert answer["remaining"] == 0
    assert all(row["number"].startswith("KD-") for row in answer["rows"])


def test_the_sign_page_takes_odd_parts_as_none(client, campaign, verifier, scale_type, today):
    record(campaign, verifier, scale_type, today, serial="S-1")
    login(client, verifier)
    answer = client.post(
        f"/verification/campaigns/{campaign.pk}/sign/",
        {"password": PASSWORD, "limit": "²", "after": "²"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200 and answer.json()["remaining"] == 0


# --- The management pages -------------------------------------------------------------------------


def test_a_campaign_is_planned_changed_and_closed_from_its_pages(
    client, rita, verifier, weights_m1, scale_type, today
):
    login(client, rita)
    assert client.get("/verification/campaigns/new/").status_code == 200
    data = {
        "name": "Chợ Lớn Quy Nhơn",
        "site": "Chợ Lớn",
        "address": "",
        "province": "Bình Định",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=400)).isoformat(),
        "leader": rita.pk,
        "team": [verifier.pk],
        "standards": [weights_m1.pk],
        "notes": "",
    }
    refused = client.post("/verification/campaigns/new/", data)
    assert refused.status_code == 400
    assert "at most a year" in refused.content.decode()
    data["ends_on"] = today.isoformat()
    response = client.post("/verification/campaigns/new/", data)
    campaign = Campaign.objects.get(name="Chợ Lớn Quy Nhơn")
    assert response["Location"] == f"/verification/campaigns/{campaign.pk}/"
    assert "Chợ Lớn Quy Nhơn" in client.get("/verification/campaigns/").content.decode()

    edit = f"/verification/campaigns/{campaign.pk}/edit/"
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**data, "site": "Chợ Lớn (cổng Bắc)"}).status_code == 400  # no reason
    response = client.post(edit, {**data, "site": "Chợ Lớn (cổng Bắc)", "reason": "Gate"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.site == "Chợ Lớn (cổng Bắc)"

    close = f"/verification/campaigns/{campaign.pk}/close/"
    client.post(close, {"reason": ""})
    campaign.refresh_from_db()
    assert campaign.closed_at is None
    client.post(close, {"reason": "Every stall visited"})
    campaign.refresh_from_db()
    assert campaign.closed_at is not None
    assert client.get(edit).status_code == 302  # a closed campaign takes no change

    login(client, verifier)
    html = client.get(f"/verification/campaigns/{campaign.pk}/entry/").content.decode()
    assert "The campaign is closed" in html
    response = post_json(
        client, f"/verification/campaigns/{campaign.pk}/rows/", row_body(scale_type)
    )
    assert response.status_code == 400
    assert "closed" in response.json()["errors"]["__all__"][0]


# --- extreme input and the procedure held -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        (
            {"cells": {**good_cells(), "weighing.0.indication": "1e9999999"}},
            "readings",
            "Weighing, row 1: the indication “1e9999999” is not a plausible reading",
        ),
        (
            {"spec": {**SPEC, "max": "1e999999999"}},
            "spec",
            "The Max “1e999999999” is not a plausible value",
        ),
    ],
)
def test_extreme_numbers_on_the_entry_page_are_refused_naming_the_cell(
    client, campaign, verifier, scale_type, changes, field, says
):
    login(client, verifier)
    body = row_body(scale_type, **changes)
    for url in ("rows", "preview"):
        response = post_json(client, f"/verification/campaigns/{campaign.pk}/{url}/", body)
        assert response.status_code in (200, 400)
        assert says in " ".join(response.json()["errors"][field])
    assert not Verification.objects.exists()


def test_a_load_sent_by_the_page_is_not_taken(client, campaign, verifier, scale_type):
    login(client, verifier)
    cells = {**good_cells(), "weighing.1.load": "0.3", "eccentricity.1.position": "centre"}
    response = post_json(
        client, f"/verification/campaigns/{campaign.pk}/rows/", row_body(scale_type, cells=cells)
    )
    assert response.status_code == 201
    tests = Verification.objects.get().tests
    assert tests["weighing"][1]["load"] == "2.5"
    assert tests["eccentricity"][1]["position"] == "front-left"


@pytest.mark.parametrize("field", ["team", "standards"])
def test_a_huge_id_in_the_campaign_form_is_a_form_error(
    client, rita, verifier, weights_m1, today, field
):
    login(client, rita)
    data = {
        "name": "Chợ Lớn Quy Nhơn",
        "site": "Chợ Lớn",
        "province": "Bình Định",
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
        "leader": rita.pk,
        "team": [verifier.pk],
        "standards": [weights_m1.pk],
    }
    data[field] = ["99999999999999999999"]
    response = client.post("/verification/campaigns/new/", data)
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    assert not Campaign.objects.exists()
