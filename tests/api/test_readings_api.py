"""Posting a calibration's readings through the API: the import's checks, all points or none.

`draft` (tests/conftest.py) is alice's, on the balance's one range "0 – 220 g", with two as-left
points at 100 g and 200 g. Every answer is checked against the OpenAPI schema.
"""

from decimal import Decimal

import pytest
import yaml

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Adjustment, MeasurementPoint
from tests.api.test_schema import assert_matches
from tests.conftest import login

pytestmark = pytest.mark.django_db

PATH = "/api/calibrations/{id}/readings/"


def url(calibration):
    return PATH.format(id=calibration.pk)


def post(client, calibration, body):
    return client.post(url(calibration), body, content_type="application/json")


def saved(calibration):
    return [
        (p.range.name, p.phase, p.position, p.reference.label, p.readings)
        for p in MeasurementPoint.objects.filter(calibration=calibration)
        .select_related("range", "reference")
        .order_by("range__position", "phase", "position")
    ]


def body(**extra):
    return {
        "points": [
            {
                "range": "0 – 220 g",
                "phase": "as_left",
                "nominal": "100",
                "readings": ["100.0004", "100,0005"],
            },
            {"nominal": "200", "readings": ["199.9996", "199,9997", "199.9996"]},
        ],
        **extra,
    }


@pytest.fixture
def schema(client, adam):
    return yaml.safe_load(login(client, adam).get("/api/schema/").content)


def documented(schema, code):
    operation = schema["paths"][PATH]["post"]
    return operation["responses"][code]["content"]["application/json"]["schema"]


# --- Saving -------------------------------------------------------------------------------------


def test_the_technician_posts_readings_and_gets_the_points_and_results(
    client, schema, draft, alice
):
    response = post(login(client, alice), draft, body(reason=""))

    assert response.status_code == 200
    answer = response.json()
    assert_matches(schema, documented(schema, "200"), answer, "readings")
    assert answer["imported"] == 2
    assert [(p["position"], p["reference_label"], p["readings"]) for p in answer["points"]] == [
        (1, "100 g", ["100.0004", "100.0005"]),
        (2, "200 g", ["199.9996", "199.9997", "199.9996"]),
    ]
    assert answer["points"][0]["range"] == "0 – 220 g"
    assert answer["points"][0]["result"]["engine"]
    assert saved(draft) == [
        ("0 – 220 g", "as_left", 1, "100 g", ["100.0004", "100.0005"]),
        ("0 – 220 g", "as_left", 2, "200 g", ["199.9996", "199.9997", "199.9996"]),
    ]


def test_json_numbers_are_taken_as_their_json_text_digits_and_trailing_zeros_kept(
    client, draft, alice
):
    raw = '{"points": [{"nominal": 100, "readings": [100.00020, 100.0001, 1E+2]}]}'

    response = login(client, alice).post(url(draft), raw, content_type="application/json")

    assert response.status_code == 200, response.json()
    assert saved(draft)[0] == (
        "0 – 220 g",
        "as_left",
        1,
        "100 g",
        ["100.00020", "100.0001", "1E+2"],
    )


def test_a_reference_is_given_by_its_id(client, draft, alice):
    ref = {v.label: v.pk for v in cal.allowed_references(draft)}["200 g"]

    response = post(
        login(client, alice), draft, {"points": [{"reference": ref, "readings": ["200", "200"]}]}
    )

    assert response.status_code == 200
    assert saved(draft)[1] == ("0 – 220 g", "as_left", 2, "200 g", ["200", "200"])  # replaced


def test_points_of_other_ranges_and_phases_are_kept(client, draft, alice, balance, procedure):
    cal.calibration_set_conditions(
        calibration=draft,
        by=alice,
        temperature=Decimal("23"),
        humidity=Decimal("55"),
        adjustment=Adjustment.ADJUSTED,
    )
    before = saved(draft)
    points = [{"phase": "trước hiệu chỉnh", "nominal": "100", "readings": ["100.0009", "100.0008"]}]

    response = post(login(client, alice), draft, {"points": points})

    assert response.status_code == 200
    assert response.json()["imported"] == 1
    assert saved(draft) == [
        ("0 – 220 g", "as_found", 1, "100 g", ["100.0009", "100.0008"]),
        *before,
    ]
    assert len(response.json()["points"]) == 3


def test_after_a_submission_the_reason_is_required_and_kept(client, draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_return(calibration=draft, by=rita, reason="Đo lại / measure again")
    login(client, alice)

    without = post(client, draft, body())
    with_reason = post(client, draft, body(reason="Đo lại điểm 100 g / 100 g measured again"))

    assert without.status_code == 400
    assert without.json()["errors"][0]["point"] is None
    assert "say why its data change" in without.json()["errors"][0]["message"]
    assert with_reason.status_code == 200
    point = draft.points.get(position=1)
    assert point.history.first().history_change_reason == "Đo lại điểm 100 g / 100 g measured again"


# --- Refusals: every point named, nothing saved ----------------------------------------------------


def test_every_wrong_point_is_reported_and_nothing_is_saved(client, schema, draft, alice):
    before = saved(draft)
    points = [
        {"nominal": "100", "readings": ["100.0002", "100.0003"]},
        {"nominal": "100", "readings": ["100.0002", "1,2,3"]},
        {"nominal": "150", "readings": ["150", "150"]},
        {"nominal": "200", "readings": ["199.9998"]},
        {"range": "Kênh 9", "phase": "as_found", "nominal": "200", "readings": ["1", "2"]},
    ]

    response = post(login(client, alice), draft, {"points": points})

    assert response.status_code == 400
    answer = response.json()
    assert_matches(schema, documented(schema, "400"), answer, "errors")
    assert answer["errors"] == [
        {"point": 2, "message": "Reading 2: “1,2,3” is not a number. Type digits with a point or a comma as the decimal mark, e.g. 100,02."},
        {"point": 3, "message": "No standard used in this calibration has a value with the nominal 150: E2-01 · 100 g, E2-01 · 200 g."},
        {"point": 4, "message": "Enter at least two readings at each point, for the type A uncertainty."},
        {"point": 5, "message": "The instrument has no range or channel “Kênh 9” for this procedure: 0 – 220 g."},
        {"point": 5, "message": "As-found readings are entered only when the instrument is adjusted."},
    ]  # fmt: skip
    assert saved(draft) == before


def test_a_reference_of_a_standard_not_used_is_refused(client, draft, alice):
    response = post(
        login(client, alice), draft, {"points": [{"reference": 99999, "readings": ["1", "2"]}]}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "point": 1,
            "message": "The reference value 99999 is not one of the standards used in this calibration.",
        }
    ]


GARBAGE = [
    # (raw body, words of a message, point or None)
    ("not json at all", "not valid JSON", None),
    ("", "points: This field is required.", None),
    ("[1, 2, 3]", "Expected a dictionary", None),
    ('"points"', "Expected a dictionary", None),
    ('{"points": "100"}', "Expected a list", None),
    ('{"points": []}', "may not be empty", None),
    ('{"points": [42]}', "Expected a dictionary", 1),
    ('{"points": [{"nominal": "100"}]}', "readings: This field is required.", 1),
    ('{"points": [{"nominal": "100", "readings": "100.0002"}]}', "readings: Expected a list", 1),
    ('{"points": [{"nominal": "100", "readings": [true, "1"]}]}', "Reading 1: Give a number", 1),
    ('{"points": [{"nominal": "100", "readings": [{"a": 1}, null]}]}', "Reading 1: Give a number", 1),
    ('{"points": [{"nominal": {"x": 1}, "readings": ["1", "2"]}]}', "nominal: Give a number", 1),
    ('{"points": [{"nominal": "100", "readings": ["1", "2"], "readngs": []}]}', "readngs: This field is not known", 1),
    ('{"points": [{"reference": "abc", "readings": ["1", "2"]}]}', "reference: A valid integer", 1),
    ('{"points": [{"phase": 7, "nominal": "100", "readings": ["1", "2"]}]}', "phase “7” is not known", 1),
    ('{"points": [{"nominal": "100", "readings": [NaN, 1]}]}', "not valid JSON", None),
    ('{"points": [{"nominal": "100", "readings": ["' + "9" * 41 + '", "1"]}]}', "At most 40 characters", 1),
    ('{"points": [{"nominal": "100", "readings": [' + ", ".join(['"1"'] * 101) + "]}]}", "no more than 100 elements", 1),
    ('{"points": [' + ", ".join(['{"nominal": "100", "readings": ["1", "2"]}'] * 2001) + "]}", "no more than 2000 elements", None),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON", None),
    ('{"reason": ["x"], "points": [{"nominal": "100", "readings": ["1", "2"]}]}', "reason: Not a valid string", None),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "words", "point"), GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_a_400_with_the_reason_never_a_500(client, draft, alice, raw, words, point):
    before = saved(draft)

    response = login(client, alice).post(url(draft), raw, content_type="application/json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(words in e["message"] and e["point"] == point for e in errors), errors
    assert saved(draft) == before


def test_a_body_over_what_django_takes_is_refused_in_the_same_shape(client, draft, alice):
    raw = '{"reason": "' + "x" * (3 * 1024 * 1024) + '", "points": []}'

    response = login(client, alice).post(url(draft), raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"point": None, "message": "The request is larger than 2.5 MB: send the readings in parts."}
    ]


def test_a_form_encoded_body_is_unsupported_media(client, draft, alice):
    response = login(client, alice).post(url(draft), {"points": "x"})

    assert response.status_code == 415


# --- Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", 200),
        ("bob", 403),
        ("rita", 403),
        ("quinn", 403),
        ("adam", 403),
        ("carol", 403),
        ("oscar", 404),
    ],
)
def test_only_the_performing_technician_may_post_readings(
    request, client, draft, persona, expected
):
    before = saved(draft)

    response = post(login(client, request.getfixturevalue(persona)), draft, body())

    assert response.status_code == expected
    if expected != 200:
        assert saved(draft) == before


def test_an_anonymous_client_may_not_post_readings(client, draft):
    assert post(client, draft, body()).status_code == 403


def test_a_calibration_no_longer_a_draft_is_refused(client, draft, alice):
    flow.calibration_submit(calibration=draft, by=alice)
    before = saved(draft)

    response = post(login(client, alice), draft, body())

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "point": None,
                "message": "This calibration is submitted; only a draft can be changed.",
            }
        ]
    }
    assert saved(draft) == before


def test_another_customers_calibration_is_not_found_even_with_garbage(client, draft, oscar):
    response = login(client, oscar).post(url(draft), "garbage", content_type="application/json")

    assert response.status_code == 404


def test_the_schema_documents_the_readings_endpoint(schema):
    operation = schema["paths"][PATH]["post"]
    components = schema["components"]["schemas"]

    assert set(operation["responses"]) == {"200", "400", "403", "404"}
    request = operation["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/ReadingsInput"}
    point = components["ReadingsPointInput"]
    assert point["required"] == ["readings"]
    assert point["properties"]["readings"]["maxItems"] == 100
    assert {"type": "number", "example": 100.0002} in point["properties"]["readings"]["items"][
        "oneOf"
    ]
    assert components["ReadingsInput"]["required"] == ["points"]
