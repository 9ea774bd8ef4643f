"""The single-verification pages: who may, recording one instrument in steps, issuing it, the
list's filters, and bad input answered with a clear message, never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, login
from tests.verification.conftest import SCALE_SPEC, record_scale, scale_readings
from verification.models import Mark, MarkState, Verification, VerificationState
from verification.services import verification_issue


def messages_of(response) -> str:
    return response.content.decode()


def identification(scale_type, weights_m1=None, **extra):
    data = {
        "instrument_type": str(scale_type.pk),
        "kind": "periodic",
        "verified_on": timezone.localdate().isoformat(),
        "owner": "Phạm Thị Hoa",
        "stall": "B-04",
        "province": "Gia Lai",
        "manufacturer": "Nhơn Hòa",
        "serial_number": "NH-2231",
        **{f"spec-{k}": v for k, v in SCALE_SPEC.items()},
    }
    if weights_m1 is not None:
        data["standards"] = [str(weights_m1.pk)]
    data.update(extra)
    return data


def with_readings(data, tests, drawn_for):
    data = dict(data, step="tests", drawn_for=drawn_for)
    for key, rows in tests.items():
        data[f"n-{key}"] = str(len(rows))
        for index, row in enumerate(rows):
            for column, value in row.items():
                data[f"t-{key}-{index}-{column}"] = value
    return data


def test_the_first_step_lists_the_types_in_force(client, verifier, scale_type, meter_type):
    page = login(client, verifier).get("/verification/new/")
    assert page.status_code == 200
    assert "Cân bàn" in messages_of(page) and "Công tơ điện xoay chiều" in messages_of(page)


def test_recording_a_scale_in_three_steps(client, verifier, scale_type, weights_m1):
    login(client, verifier)
    second = client.get(f"/verification/new/?instrument_type={scale_type.pk}")
    assert second.status_code == 200 and 'name="spec-max"' in messages_of(second)
    data = identification(scale_type, weights_m1)
    third = client.post("/verification/new/", dict(data, step="spec"))
    assert third.status_code == 200
    html = messages_of(third)
    assert 'name="t-weighing-1-load" value="5"' in html  # 500 e, drawn by the server
    assert 'name="t-eccentricity-0-load" value="10"' in html
    drawn_for = third.context["drawn_for"]
    saved = client.post("/verification/new/", with_readings(data, scale_readings(), drawn_for))
    verification = Verification.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/verification/{verification.pk}/"
    assert verification.passed is True and verification.verifier == verifier
    assert list(verification.standards.all()) == [weights_m1]
    page = client.get(f"/verification/{verification.pk}/")
    assert page.status_code == 200
    assert "Issue the certificate" in messages_of(page)


def test_the_same_form_sent_twice_records_once(client, verifier, scale_type):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    key = drawn.context["client_key"]
    data = with_readings(dict(data, client_key=key), scale_readings(), drawn.context["drawn_for"])
    assert client.post("/verification/new/", data).status_code == 302
    assert client.post("/verification/new/", data).status_code == 302
    assert Verification.objects.count() == 1


def test_a_bad_reading_is_shown_and_nothing_saved(client, verifier, scale_type):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    tests = scale_readings()
    tests["weighing"][2]["indication"] = "hai mươi"
    response = client.post(
        "/verification/new/", with_readings(data, tests, drawn.context["drawn_for"])
    )
    assert response.status_code == 400
    assert "Weighing, row 3: the indication must be a number, not “hai mươi”." in messages_of(
        response
    )
    assert 'value="hai mươi"' in messages_of(response)  # the typed rows stay on the page
    assert Verification.objects.count() == 0


def test_changed_characteristics_redraw_the_tests_and_save_nothing(client, verifier, scale_type):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    data = with_readings(
        dict(data, **{"spec-max": "15", "spec-e": "0.005"}),
        scale_readings(),
        drawn.context["drawn_for"],
    )
    response = client.post("/verification/new/", data)
    assert response.status_code == 400
    assert "drawn again" in messages_of(response)
    assert 'name="t-weighing-1-load" value="2.5"' in messages_of(response)
    assert Verification.objects.count() == 0


def test_characteristics_that_do_not_fit_the_class_are_refused(client, verifier, scale_type):
    login(client, verifier)
    data = identification(scale_type, **{"spec-max": "60", "spec-e": "0.002"})
    response = client.post("/verification/new/", dict(data, step="spec"))
    assert response.status_code == 400
    assert "30000 is more than the 10000" in messages_of(response)


@pytest.mark.parametrize(
    "change",
    [
        {"verified_on": "31/31/2026"},
        {"verified_on": "2999-01-01"},
        {"instrument_type": "abc"},
        {"spec-class": "VII"},
        {"n-weighing": "abc"},
        {"t-weighing-0-load": "x" * 5000},
        {"standards": ["999999"]},
    ],
)
def test_bad_input_is_a_400_never_a_500(client, verifier, scale_type, change):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    data = with_readings(data, scale_readings(), drawn.context["drawn_for"])
    data.update(change)
    response = client.post("/verification/new/", data)
    assert response.status_code == 400
    assert Verification.objects.count() == 0


def test_a_type_without_rules_says_so(client, verifier, type_list):
    from verification.models import InstrumentType

    other = InstrumentType.objects.create(
        type_list=type_list, code="ap-ke", number="5.1", name_vi="Áp kế", recommendation="other"
    )
    response = login(client, verifier).get(f"/verification/new/?instrument_type={other.pk}")
    assert "no verification rules" in messages_of(response)


def test_issuing_from_the_page(client, verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    login(client, verifier)
    response = client.post(
        f"/verification/{verification.pk}/issue/", {"password": PASSWORD, "mark_serial": "A0000009"}
    )
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.state == VerificationState.ISSUED
    assert Mark.objects.get(serial="A0000009").state == MarkState.USED
    page = client.get(f"/verification/{verification.pk}/")
    assert verification.number in messages_of(page) and "A0000009" in messages_of(page)
    pdf = client.get(f"/verification/{verification.pk}/pdf/")
    assert pdf.status_code == 200 and bytes(pdf.content) == bytes(verification.pdf)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"password": "wrong", "mark_serial": ""}, "password is not right"),
        ({"password": PASSWORD, "mark_serial": "Z0000001"}, "not in the lab&#x27;s stock"),
        ({"mark_serial": ""}, "This field is required"),
    ],
)
def test_a_refused_issue_says_why_and_changes_nothing(
    client, verifier, scale_type, marks, weights_m1, data, words
):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    response = login(client, verifier).post(f"/verification/{verification.pk}/issue/", data)
    assert response.status_code == 400
    assert words in messages_of(response)
    verification.refresh_from_db()
    assert verification.state == VerificationState.DRAFT


def test_another_verifier_sees_no_issue_form_and_is_refused(
    client, verifier, bob, scale_type, marks, weights_m1
):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    login(client, bob)
    page = client.get(f"/verification/{verification.pk}/")
    assert "Issue the certificate" not in messages_of(page)
    response = client.post(f"/verification/{verification.pk}/issue/", {"password": PASSWORD})
    assert response.status_code == 400 and "Only the verifier" in messages_of(response)


def test_changing_a_draft_needs_a_reason(client, verifier, scale_type):
    verification = record_scale(verifier, scale_type)
    login(client, verifier)
    page = client.get(f"/verification/{verification.pk}/edit/")
    assert page.status_code == 200
    assert 'name="t-weighing-3-indication" value="30.01"' in messages_of(page)
    data = with_readings(
        identification(scale_type, serial_number="CB-0001"),
        scale_readings(passing=False),
        page.context["drawn_for"],
    )
    assert client.post(f"/verification/{verification.pk}/edit/", data).status_code == 400
    data["reason"] = "Ghi nhầm số chỉ / misread"
    assert client.post(f"/verification/{verification.pk}/edit/", data).status_code == 302
    verification.refresh_from_db()
    assert verification.passed is False and verification.owner == "Phạm Thị Hoa"


def test_an_issued_verification_cannot_be_changed_from_the_page(
    client, verifier, scale_type, marks, weights_m1
):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    verification_issue(verification=verification, by=verifier, password=PASSWORD)
    response = login(client, verifier).get(f"/verification/{verification.pk}/edit/")
    assert response.status_code == 302


def test_the_list_filters(client, verifier, rita, scale_type, marks, weights_m1):
    passed = record_scale(verifier, scale_type, serial="P-1", standards=[weights_m1])
    passed = verification_issue(
        verification=passed, by=verifier, password=PASSWORD, mark_serial="A0000042"
    )
    record_scale(verifier, scale_type, serial="F-2", passing=False, owner="Lê Văn Tám")
    login(client, rita)

    def serials(query):
        response = client.get(f"/verification/?{query}")
        assert response.status_code == 200
        return {v.serial_number for v in response.context["rows"]}

    assert serials("") == {"P-1", "F-2"}
    assert serials("verdict=pass") == {"P-1"}
    assert serials("verdict=fail") == {"F-2"}
    assert serials("q=A0000042") == {"P-1"}  # by its mark
    assert serials("q=tám") == {"F-2"}  # by its owner
    assert serials(f"q={passed.number}") == {"P-1"}
    assert serials("state=draft") == {"F-2"}
    assert serials(f"type={scale_type.pk}") == {"P-1", "F-2"}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert serials(f"date_from={tomorrow}") == set()


def test_a_bad_filter_is_a_400(client, verifier):
    response = login(client, verifier).get("/verification/?date_to=yesterday&type=abc")
    assert response.status_code == 400


def test_a_customer_user_sees_no_verification(client, carol, verifier, scale_type):
    verification = record_scale(verifier, scale_type)
    login(client, carol)
    assert client.get("/verification/").status_code == 403
    assert client.get(f"/verification/{verification.pk}/").status_code == 403


def test_history_of_a_verification(client, verifier, scale_type):
    verification = record_scale(verifier, scale_type)
    response = login(client, verifier).get(f"/history/verification/{verification.pk}/")
    assert response.status_code == 200 and "Recorded" in messages_of(response)


# --- the public check ---------------------------------------------------------------------------


def test_the_public_page_finds_an_issued_verification_by_its_token(
    client, verifier, scale_type, marks, weights_m1
):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    page = client.get(f"/verify/{issued.token}/")
    assert page.status_code == 200
    html = messages_of(page)
    for text in (issued.number, "Nguyễn Thị Lan", "CB-0001", "A0000001", issued.sha256):
        assert text in html
    assert issued.valid_until.strftime("%d/%m/%Y") in html


def test_the_public_page_checks_an_upload(client, verifier, scale_type, marks, weights_m1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    url = f"/verify/{issued.token}/"
    genuine = client.post(url, {"file": SimpleUploadedFile("v.pdf", bytes(issued.pdf))})
    assert 'data-testid="genuine"' in messages_of(genuine)
    forged = client.post(url, {"file": SimpleUploadedFile("v.pdf", b"%PDF-1.7 forged")})
    assert 'data-testid="not-genuine"' in messages_of(forged)
    assert client.post(url, {}).status_code == 400


def test_a_draft_has_no_public_page(client, verifier, scale_type):
    verification = record_scale(verifier, scale_type)
    Verification.objects.filter(pk=verification.pk).update(token="t" * 43)
    assert client.get("/verify/" + "t" * 43 + "/").status_code == 404
    assert client.get("/verify/nothing-at-all/").status_code == 404


# --- what the review found ------------------------------------------------------------------------


def test_a_get_with_the_whole_form_only_draws_the_page(client, verifier, scale_type):
    login(client, verifier)
    drawn = client.post("/verification/new/", dict(identification(scale_type), step="spec"))
    data = with_readings(identification(scale_type), scale_readings(), drawn.context["drawn_for"])
    response = client.get("/verification/new/", data)
    assert response.status_code == 200
    assert 'name="spec-max"' in messages_of(response)
    assert Verification.objects.count() == 0
    edit = record_scale(verifier, scale_type)
    response = client.get(f"/verification/{edit.pk}/edit/", dict(data, reason="GET"))
    assert response.status_code == 200
    edit.refresh_from_db()
    assert edit.owner == "Nguyễn Thị Lan" and edit.history.count() == 1


def test_the_given_loads_are_drawn_read_only_and_held_by_the_server(client, verifier, scale_type):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    html = messages_of(drawn)
    assert 'name="t-weighing-1-load" value="5" aria-label=' in html
    cell = html.split('name="t-weighing-1-load"')[1].split(">")[0]
    assert "readonly" in cell
    indication = html.split('name="t-weighing-1-indication"')[1].split(">")[0]
    assert "readonly" not in indication
    tests = scale_readings()
    tests["weighing"] = [{"load": x, "indication": x} for x in ("0.2", "0.3", "0.4", "30")]
    response = client.post(
        "/verification/new/", with_readings(data, tests, drawn.context["drawn_for"])
    )
    assert response.status_code == 400
    assert "Weighing, row 2: the load must be 5 kg, as the procedure asks." in messages_of(response)
    assert Verification.objects.count() == 0


def test_a_reading_longer_than_40_characters_is_refused_not_cut(client, verifier, scale_type):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    tests = scale_readings()
    tests["weighing"][1]["indication"] = "5.005" + "0" * 35 + "1"  # 41 characters
    response = client.post(
        "/verification/new/", with_readings(data, tests, drawn.context["drawn_for"])
    )
    assert response.status_code == 400
    assert (
        "Weighing, row 2: the indication “5.0050000000…” is longer than 40 characters: it is "
        "not a reading." in messages_of(response)
    )
    assert Verification.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"spec-max": "1e999999999"}, "is not a plausible value"),
        ({"t-weighing-2-indication": "1e9999999"}, "is not a plausible reading"),
        ({"n-weighing": "9" * 5000}, "Weighing: at least 3 rows are needed, 0 given."),
        ({"standards": ["99999999999999999999"]}, "is not a valid value"),
    ],
)
def test_extreme_input_is_a_400_with_the_reason(client, verifier, scale_type, change, says):
    login(client, verifier)
    data = identification(scale_type)
    drawn = client.post("/verification/new/", dict(data, step="spec"))
    data = with_readings(data, scale_readings(), drawn.context["drawn_for"])
    data.update(change)
    response = client.post("/verification/new/", data)
    assert response.status_code == 400
    assert says in messages_of(response)
    assert Verification.objects.count() == 0


def test_the_list_does_not_load_the_pdfs(client, verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    verification_issue(verification=verification, by=verifier, password=PASSWORD)
    response = login(client, verifier).get("/verification/")
    (row,) = response.context["rows"]
    assert "pdf" in row.get_deferred_fields()
