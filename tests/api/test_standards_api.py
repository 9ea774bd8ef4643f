"""Writing the standards register through the API: standards, incoming calibrations, checks.

Every write goes through standards/services.py; a refusal is a 400 or 403 with its messages and
leaves nothing behind. Expected answers are written out here, not read from lims.access.
"""

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from standards.due import add_months
from standards.models import (
    IntermediateCheck,
    Standard,
    StandardCalibration,
    StandardPiece,
    StandardStatus,
    StandardValue,
)
from tests.api.test_schema import assert_matches
from tests.conftest import login

pytestmark = pytest.mark.django_db

TRACKED = (Standard, StandardPiece, StandardCalibration, StandardValue, IntermediateCheck)


def counts():
    return [model.objects.count() for model in TRACKED]


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def incoming(weights):
    return weights.calibrations.get()


def new_standard(**extra):
    return {
        "asset_number": "T-07",
        "name": "Nhiệt kế chuẩn Pt100",
        "quantity": "temperature",
        "unit": "°C",
        "tolerance": "0.05",
        **extra,
    }


def new_calibration(standard, provider, **extra):
    return {
        "standard": standard.pk,
        "provider": provider.pk,
        "certificate_number": "V01.26.0456",
        "calibrated_on": "2026-01-15",
        "values": [
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.000018",
                "expanded_uncertainty": "0.000050",
                "coverage_factor": "2",
            },
            {
                "label": "200 g",
                "nominal": "200",
                "correction": "-0.000041",
                "expanded_uncertainty": "0.000100",
            },
        ],
        **extra,
    }


def new_check(standard, on, value="100.000021", **extra):
    return {
        "standard": standard.pk,
        "checked_on": on.isoformat(),
        "label": "100 g",
        "value": value,
        **extra,
    }


# --- Who may read and write ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("rita", 200), ("quinn", 200), ("adam", 200), ("carol", 403)],
)
@pytest.mark.parametrize(
    "url",
    [
        "/api/standards/",
        "/api/standards/{standard}/",
        "/api/standard-calibrations/",
        "/api/standard-calibrations/{incoming}/",
        "/api/checks/",
    ],
)
def test_staff_read_the_register_and_a_customer_user_gets_nothing(
    request, client, weights, incoming, persona, expected, url
):
    user = request.getfixturevalue(persona)
    response = login(client, user).get(url.format(standard=weights.pk, incoming=incoming.pk))
    assert response.status_code == expected
    if expected == 403:
        assert "E2-01" not in response.content.decode()


def test_an_anonymous_client_reads_and_writes_nothing(client, weights, vmi, today):
    before = counts()
    assert client.get("/api/checks/").status_code == 403
    assert post(client, "/api/checks/", new_check(weights, today)).status_code == 403
    assert post(client, "/api/standards/", new_standard()).status_code == 403
    assert counts() == before


# persona: (POST standard, PATCH standard, POST status, POST incoming calibration, POST check)
WRITE_RIGHTS = {
    "alice": (403, 403, 403, 403, 201),
    "rita": (201, 200, 200, 201, 201),
    "quinn": (201, 200, 200, 201, 201),
    "adam": (201, 200, 200, 201, 201),
    "carol": (403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("persona", WRITE_RIGHTS)
def test_each_role_writes_exactly_what_it_may(request, client, persona, weights, vmi, today):
    login(client, request.getfixturevalue(persona))
    before = counts()
    answers = (
        post(client, "/api/standards/", new_standard()),
        client.patch(
            f"/api/standards/{weights.pk}/",
            {"location": "Phòng cân 2", "reason": "Moved"},
            content_type="application/json",
        ),
        post(
            client,
            f"/api/standards/{weights.pk}/status/",
            {"status": "out_for_calibration", "reason": "Sent to VMI"},
        ),
        post(client, "/api/standard-calibrations/", new_calibration(weights, vmi)),
        post(client, "/api/checks/", new_check(weights, today)),
    )
    assert tuple(answer.status_code for answer in answers) == WRITE_RIGHTS[persona]
    for answer in answers:
        if answer.status_code == 403:
            assert answer.json() == {"detail": "You do not have permission to perform this action."}
    if persona in ("alice", "carol"):
        weights.refresh_from_db()
        assert (weights.location, weights.status) == ("", StandardStatus.IN_SERVICE)
        assert counts()[:4] == before[:4]


# --- Standards ----------------------------------------------------------------------------------


def test_a_reviewer_registers_a_standard_with_its_pieces(client, rita):
    body = new_standard(
        asset_number="E2-02",
        name="Bộ quả cân E2",
        quantity="mass",
        unit="g",
        tolerance=None,
        pieces=[
            {"label": "1 g", "nominal": "1", "tolerance": "0.000006"},
            {"label": "2 g", "nominal": "2", "marking": "•"},
        ],
        reason="Bought for the mass lab",
    )
    response = post(login(client, rita), "/api/standards/", body)

    assert response.status_code == 201, response.json()
    answer = response.json()
    standard = Standard.objects.get(asset_number="E2-02")
    assert answer["id"] == standard.pk
    assert answer["status"] == "in_service"
    assert (answer["due_on"], answer["due_state"], answer["calibrations"]) == (None, "never", [])
    assert [(p["label"], p["nominal"], p["marking"], p["tolerance"]) for p in answer["pieces"]] == [
        ("1 g", "1.000000000", "", "0.000006000"),
        ("2 g", "2.000000000", "•", None),
    ]
    assert standard.history.latest().history_change_reason == "Bought for the mass lab"
    assert standard.history.latest().history_user == rita


def test_a_standard_answer_gives_its_due_date_and_its_calibrations(client, alice, weights, today):
    answer = login(client, alice).get(f"/api/standards/{weights.pk}/").json()
    assert answer["due_on"] == (today + dt.timedelta(days=265)).isoformat()
    assert answer["due_state"] == ""  # in date
    (calibration,) = answer["calibrations"]
    assert calibration["certificate_number"] == "V01.26.0001"
    assert (calibration["is_current"], calibration["replaced_by"]) == (True, None)
    assert [v["value"] for v in calibration["values"]] == ["100.000021000", "199.999965000"]


def test_a_change_needs_a_reason_which_the_history_keeps(client, rita, weights):
    login(client, rita)
    url = f"/api/standards/{weights.pk}/"

    response = client.patch(url, {"location": "Phòng cân 2"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give the reason for the change."]}

    response = client.patch(
        url, {"location": "Phòng cân 2", "reason": "  "}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    weights.refresh_from_db()
    assert weights.location == ""

    response = client.patch(
        url,
        {"location": "Phòng cân 2", "reason": "Moved with the balances"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["location"] == "Phòng cân 2"
    assert response.json()["name"] == "Bộ quả cân E2"  # untouched
    latest = Standard.objects.get(pk=weights.pk).history.latest()
    assert (latest.location, latest.history_change_reason) == (
        "Phòng cân 2",
        "Moved with the balances",
    )


def test_a_change_cannot_slip_the_status_in(client, rita, weights):
    response = login(client, rita).patch(
        f"/api/standards/{weights.pk}/",
        {"status": "retired", "reason": "Old"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"status": ["This field is not known here."]}
    weights.refresh_from_db()
    assert weights.status == StandardStatus.IN_SERVICE


def test_put_and_delete_on_a_standard_are_not_allowed(client, rita, weights):
    login(client, rita)
    url = f"/api/standards/{weights.pk}/"
    assert client.put(url, new_standard(), content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert Standard.objects.filter(pk=weights.pk).exists()


def test_the_status_moves_with_a_reason(client, quinn, weights):
    login(client, quinn)
    url = f"/api/standards/{weights.pk}/status/"

    response = post(client, url, {"status": "retired"})
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}
    response = post(client, url, {"status": "lost", "reason": "?"})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    weights.refresh_from_db()
    assert weights.status == StandardStatus.IN_SERVICE

    response = post(client, url, {"status": "retired", "reason": "Worn beyond E2"})
    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    latest = Standard.objects.get(pk=weights.pk).history.latest()
    assert (latest.status, latest.history_change_reason) == ("retired", "Worn beyond E2")


def test_a_duplicate_asset_number_or_a_missing_name_is_refused(client, rita, weights):
    login(client, rita)
    before = counts()
    response = post(client, "/api/standards/", new_standard(asset_number="E2-01", name=""))
    assert response.status_code == 400
    assert set(response.json()) == {"asset_number", "name"}
    response = post(
        client,
        "/api/standards/",
        new_standard(pieces=[{"label": "1 g", "nominal": "1"}, {"label": "1 g", "nominal": "1"}]),
    )
    assert response.status_code == 400  # refused by the service, inside its transaction
    assert response.json()["non_field_errors"]
    assert counts() == before


# --- Incoming calibrations ----------------------------------------------------------------------


def test_a_calibration_is_recorded_with_its_values_and_read_back_exactly(
    client, rita, weights, vmi, national_mass
):
    login(client, rita)
    body = new_calibration(weights, vmi, national_standard=national_mass.pk)
    response = post(client, "/api/standard-calibrations/", body)
    assert response.status_code == 201, response.json()
    created = response.json()

    answer = client.get(f"/api/standard-calibrations/{created['id']}/").json()
    assert answer == created
    assert answer["standard"] == weights.pk
    assert (answer["provider"], answer["provider_id"]) == ("VMI", vmi.pk)
    assert answer["national_standard_id"] == national_mass.pk
    assert (answer["version"], answer["replaces"], answer["is_current"]) == (1, None, True)
    # No due date given: the calibration date plus the standard's 12 months.
    assert answer["due_on"] == add_months(dt.date(2026, 1, 15), 12).isoformat() == "2027-01-15"
    rows = [
        (v["label"], v["nominal"], v["value"], v["expanded_uncertainty"], v["coverage_factor"])
        for v in answer["values"]
    ]
    assert rows == [
        ("100 g", "100.000000000", "100.000018000", "0.000050000", "2.00"),
        # value = nominal + correction = 200 − 0.000041
        ("200 g", "200.000000000", "199.999959000", "0.000100000", "2.00"),
    ]
    stored = StandardCalibration.objects.get(pk=created["id"])
    assert [v.value for v in stored.values.order_by("nominal")] == [
        Decimal("100.000018"),
        Decimal("199.999959"),
    ]
    assert stored.history.latest().history_user == rita


def test_the_list_filters_by_standard(client, alice, weights, incoming, quinn):
    other = Standard.objects.create(asset_number="X-1", name="X", quantity="mass", unit="g")
    login(client, alice)
    listed = client.get(f"/api/standard-calibrations/?standard={weights.pk}").json()["results"]
    assert [row["id"] for row in listed] == [incoming.pk]
    assert client.get(f"/api/standard-calibrations/?standard={other.pk}").json()["results"] == []
    response = client.get("/api/standard-calibrations/?standard=E2-01")
    assert response.status_code == 400
    assert response.json() == {"standard": ["Give the id of a standard."]}


def test_a_replacement_keeps_the_old_calibration_marked_as_replaced(
    client, rita, weights, vmi, incoming
):
    login(client, rita)
    body = new_calibration(
        weights,
        vmi,
        certificate_number=incoming.certificate_number,
        calibrated_on=incoming.calibrated_on.isoformat(),
        due_on=incoming.due_on.isoformat(),
        replaces=incoming.pk,
        replacement_reason="VMI reissued the certificate: 100 g value corrected",
    )
    response = post(client, "/api/standard-calibrations/", body)
    assert response.status_code == 201, response.json()
    new = response.json()
    assert (new["version"], new["replaces"], new["is_current"]) == (2, incoming.pk, True)
    assert new["replacement_reason"] == "VMI reissued the certificate: 100 g value corrected"

    old = client.get(f"/api/standard-calibrations/{incoming.pk}/").json()
    assert (old["is_current"], old["replaced_by"]) == (False, new["id"])
    assert [v["value"] for v in old["values"]] == ["100.000021000", "199.999965000"]

    standard = client.get(f"/api/standards/{weights.pk}/").json()
    assert {(c["id"], c["is_current"]) for c in standard["calibrations"]} == {
        (incoming.pk, False),
        (new["id"], True),
    }

    # The old one cannot be replaced a second time: the service says so, as a 400.
    before = counts()
    response = post(
        client,
        "/api/standard-calibrations/",
        {**body, "certificate_number": "V01.26.0999", "replacement_reason": "Again"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f"Certificate {incoming} has already been replaced."]
    }
    assert counts() == before


def test_a_replacement_needs_its_reason(client, rita, weights, vmi, incoming):
    before = counts()
    response = post(
        login(client, rita),
        "/api/standard-calibrations/",
        new_calibration(weights, vmi, replaces=incoming.pk),
    )
    assert response.status_code == 400
    assert response.json() == {"replacement_reason": ["Give the reason for the replacement."]}
    assert counts() == before


@pytest.mark.parametrize("persona", ["alice", "rita", "adam"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_recorded_calibration_is_frozen(request, client, persona, method, incoming):
    login(client, request.getfixturevalue(persona))
    url = f"/api/standard-calibrations/{incoming.pk}/"
    response = getattr(client, method)(
        url, {"certificate_number": "FORGED"}, content_type="application/json"
    )
    assert response.status_code == 405
    incoming.refresh_from_db()
    assert incoming.certificate_number == "V01.26.0001"
    assert incoming.values.count() == 2


# Each body is refused before any service runs, with a message on the field at fault.
BAD_CALIBRATIONS = {
    "nothing": (
        lambda s, p: {},
        {"standard", "provider", "certificate_number", "calibrated_on", "values"},
    ),
    "unknown standard": (lambda s, p: {**new_calibration(s, p), "standard": 999999}, {"standard"}),
    "unknown provider": (lambda s, p: {**new_calibration(s, p), "provider": 999999}, {"provider"}),
    "no values": (lambda s, p: new_calibration(s, p, values=[]), {"values"}),
    "due before calibrated": (lambda s, p: new_calibration(s, p, due_on="2026-01-01"), {"due_on"}),
    "misspelt key": (lambda s, p: new_calibration(s, p, certificate="x"), {"certificate"}),
}
BAD_VALUES = {
    "non-numeric value": ({"value": "1OO.0"}, {"value"}),
    "no value nor correction": ({"value": None}, {"non_field_errors"}),
    "value and correction": ({"correction": "0.000018"}, {"non_field_errors"}),
    "no uncertainty": ({"expanded_uncertainty": None}, {"expanded_uncertainty"}),
    "zero uncertainty": ({"expanded_uncertainty": "0"}, {"expanded_uncertainty"}),
    "zero k": ({"coverage_factor": "0"}, {"coverage_factor"}),
    "too many decimals": ({"value": "100.0000000001"}, {"value"}),
    "misspelt k": ({"coverage_facor": "3"}, {"coverage_facor"}),
}


@pytest.mark.parametrize("case", BAD_CALIBRATIONS)
def test_a_bad_calibration_is_refused_with_field_messages_and_nothing_saved(
    client, rita, weights, vmi, case
):
    make, fields = BAD_CALIBRATIONS[case]
    before = counts()
    response = post(login(client, rita), "/api/standard-calibrations/", make(weights, vmi))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(response.json().values())
    assert counts() == before


@pytest.mark.parametrize("case", BAD_VALUES)
def test_a_bad_value_is_refused_with_its_message_and_nothing_saved(
    client, rita, weights, vmi, case
):
    change, fields = BAD_VALUES[case]
    body = new_calibration(weights, vmi)
    row = {**body["values"][0], **change}
    body["values"][0] = {key: value for key, value in row.items() if value is not None}
    before = counts()
    response = post(login(client, rita), "/api/standard-calibrations/", body)
    assert response.status_code == 400
    errors = response.json()["values"]
    assert list(errors) == ["0"]  # DRF names the row at fault by its index
    assert set(errors["0"]) == fields
    assert counts() == before


def test_a_value_the_service_refuses_undoes_the_whole_certificate(client, rita, weights, vmi):
    """The certificate row is saved before its values; a refused second value takes it back."""
    body = new_calibration(weights, vmi)
    body["values"][1]["unit"] = "kg"
    before = counts()
    response = post(login(client, rita), "/api/standard-calibrations/", body)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Value 2 (200 g) is in kg, but standard E2-01 Bộ quả cân E2 is in g."]
    }
    assert counts() == before
    assert not StandardCalibration.objects.filter(certificate_number="V01.26.0456").exists()


# --- The schema ---------------------------------------------------------------------------------


@pytest.fixture
def schema(client, adam):
    return yaml.safe_load(login(client, adam).get("/api/schema/").content)


def test_the_schema_documents_the_registers_endpoints(schema):
    paths = schema["paths"]
    assert set(paths["/api/standards/"]) >= {"get", "post"}
    assert "patch" in paths["/api/standards/{id}/"]
    assert "post" in paths["/api/standards/{id}/status/"]
    assert set(paths["/api/standard-calibrations/"]) >= {"get", "post"}
    assert set(paths["/api/standard-calibrations/{id}/"]) - {"parameters"} == {"get"}
    assert set(paths["/api/checks/"]) >= {"get", "post"}
    assert set(paths["/api/checks/{id}/"]) - {"parameters"} == {"get"}
    for path in ("/api/standard-calibrations/", "/api/checks/"):
        names = [p["name"] for p in paths[path]["get"]["parameters"]]
        assert "standard" in names


def body_schema(operation, where):
    return operation[where]["content"]["application/json"]["schema"]


def test_the_schema_names_what_each_write_takes_and_answers(schema):
    paths, components = schema["paths"], schema["components"]["schemas"]

    def ref(node):
        return node["$ref"].rsplit("/", 1)[-1]

    writes = {
        ("/api/standards/", "post", "201"): ("StandardRegister", "Standard"),
        ("/api/standards/{id}/", "patch", "200"): ("PatchedStandardChange", "Standard"),
        ("/api/standards/{id}/status/", "post", "200"): ("StandardStatusChange", "Standard"),
        ("/api/standard-calibrations/", "post", "201"): (
            "StandardCalibrationRecord",
            "StandardCalibration",
        ),
        ("/api/checks/", "post", "201"): ("CheckRecord", "CheckRecorded"),
    }
    for (path, method, code), (takes, answers) in writes.items():
        operation = paths[path][method]
        assert ref(body_schema(operation, "requestBody")) == takes, path
        assert ref(body_schema(operation["responses"], code)) == answers, path
        assert {"400", "403"} <= set(operation["responses"]), path

    assert components["PatchedStandardChange"]["required"] == ["reason"]
    assert set(components["StandardCalibrationRecord"]["required"]) == {
        "standard",
        "provider",
        "certificate_number",
        "calibrated_on",
        "values",
    }
    values = components["StandardCalibrationRecord"]["properties"]["values"]
    assert ref(values["items"]) == "ValueInput"
    assert {"in_control", "quarantined"} <= set(components["CheckRecorded"]["properties"])


def test_every_answer_matches_its_schema(client, schema, rita, weights, vmi, incoming, today):
    login(client, rita)
    paths = schema["paths"]

    def check(path, method, code, response):
        assert response.status_code == int(code), response.content
        documented = paths[path][method]["responses"][code]["content"]["application/json"]
        assert_matches(schema, documented["schema"], response.json(), f"{method} {path}")

    check("/api/checks/", "post", "201", post(client, "/api/checks/", new_check(weights, today)))
    check("/api/checks/", "get", "200", client.get("/api/checks/"))
    check_id = IntermediateCheck.objects.get().pk
    check("/api/checks/{id}/", "get", "200", client.get(f"/api/checks/{check_id}/"))
    response = post(client, "/api/standard-calibrations/", new_calibration(weights, vmi))
    check("/api/standard-calibrations/", "post", "201", response)
    response = post(
        client, "/api/standards/", new_standard(pieces=[{"label": "a", "nominal": "1"}])
    )
    check("/api/standards/", "post", "201", response)
    new = response.json()["id"]
    response = client.patch(
        f"/api/standards/{new}/", {"grade": "A", "reason": "r"}, content_type="application/json"
    )
    check("/api/standards/{id}/", "patch", "200", response)
    response = post(client, f"/api/standards/{new}/status/", {"status": "retired", "reason": "r"})
    check("/api/standards/{id}/status/", "post", "200", response)
