from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from calibration import services as cal
from calibration.services import parse_reading
from tests.conftest import login


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("100,0002", "100.0002"),
        ("100.0002", "100.0002"),
        (" 10,50 ", "10.50"),
        ("-0,1", "-0.1"),
        ("1 000,5", "1000.5"),
    ],
)
def test_a_reading_is_kept_with_the_digits_typed(typed, kept):
    assert str(parse_reading(typed)) == kept


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "1.2.3", "", "NaN", "inf", "1,5.2"])
def test_a_reading_that_is_not_a_number_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError, match="is not a number"):
        parse_reading(typed)


def test_a_point_stores_readings_as_typed_and_its_computed_result(draft):
    point = draft.points.get(position=1)
    assert point.readings == ["100.0002", "100.0001", "100.0002"]
    result = point.result
    assert result["mean"] == "100.00017"  # as shown: one digit more than the readings
    # E = r + δr − x_ref with the unrounded mean 300.0005 / 3
    assert Decimal(result["error"]) == pytest.approx(
        Decimal("300.0005") / 3 - Decimal("100.000021"), abs=Decimal("1e-12")
    )
    # s̄ = 33.3 µg (ν = 2), resolution 0.1 mg → 28.9 µg, weight U/k = 25 µg: u_c = 50.7 µg
    assert result["u"] == pytest.approx(5.068e-5, rel=1e-3)
    assert result["dof"] == 10  # Welch–Satterthwaite 10.7, truncated (GUM G.6.4)
    assert result["k"] == pytest.approx(2.228, abs=1e-3)
    assert (result["reported_error"], result["reported_U"]) == ("0.00015", "0.00011")
    assert [row["name"] for row in result["budget"]] == ["r", "d_r", "x_ref"]
    assert result["engine"] and result["model"] == "r + d_r - x_ref"


def test_bad_readings_save_nothing(draft, alice):
    point = draft.points.get(position=1)
    with pytest.raises(ValidationError) as refusal:
        cal.calibration_set_point(
            calibration=draft,
            position=1,
            reference=point.reference,
            readings=["100.0002", "x1"],
            by=alice,
        )
    assert "Reading 2" in refusal.value.messages[0]
    point.refresh_from_db()
    assert point.readings == ["100.0002", "100.0001", "100.0002"]


def test_a_single_reading_is_refused(draft, alice):
    point = draft.points.get(position=1)
    with pytest.raises(ValidationError, match="at least two readings"):
        cal.calibration_set_point(
            calibration=draft,
            position=1,
            reference=point.reference,
            readings=["100.0002"],
            by=alice,
        )


def test_a_reference_from_a_standard_not_used_is_refused(draft, alice, quinn, vmi, today):
    import datetime as dt

    from standards.services import standard_calibration_record, standard_register

    other = standard_register(by=quinn, asset_number="F1-09", name="F1", quantity="mass", unit="g")
    foreign = standard_calibration_record(
        standard=other,
        provider=vmi,
        certificate_number="X-1",
        calibrated_on=today - dt.timedelta(days=5),
        due_on=today + dt.timedelta(days=300),
        by=quinn,
        values=[{"label": "1 g", "nominal": "1", "value": "1", "expanded_uncertainty": "0.001"}],
    ).values.get()
    with pytest.raises(ValidationError, match="standard used in this calibration"):
        cal.calibration_set_point(
            calibration=draft, position=3, reference=foreign, readings=["1", "1"], by=alice
        )


def test_the_grid_saves_all_rows_or_none(client, draft, alice):
    login(client, alice)
    reference = draft.points.get(position=1).reference_id
    response = client.post(
        f"/calibrations/{draft.pk}/points/",
        {
            "rows": 2,
            "columns": 3,
            "p0-ref": reference,
            "p0-r0": "100,0003",
            "p0-r1": "100,0003",
            "p0-r2": "",
            "p1-ref": reference,
            "p1-r0": "oops",
            "p1-r1": "1",
            "p1-r2": "",
        },
    )
    assert response.status_code == 400
    assert "Row 2" in response.content.decode()
    assert draft.points.get(position=1).readings == ["100.0002", "100.0001", "100.0002"]
    assert draft.points.count() == 2


def test_the_grid_replaces_the_points_when_valid(client, draft, alice):
    login(client, alice)
    reference = draft.points.get(position=1).reference_id
    response = client.post(
        f"/calibrations/{draft.pk}/points/",
        {"rows": 1, "columns": 2, "p0-ref": reference, "p0-r0": "100,0003", "p0-r1": "100,0004"},
    )
    assert response.status_code == 302
    assert list(draft.points.values_list("readings", flat=True)) == [["100.0003", "100.0004"]]


def test_the_preview_computes_a_row_as_it_is_typed(client, draft, alice):
    login(client, alice)
    reference = draft.points.get(position=1).reference_id
    response = client.post(
        f"/calibrations/{draft.pk}/points/preview/",
        {
            "row": "0",
            "columns": 3,
            "p0-ref": reference,
            "p0-r0": "100,0002",
            "p0-r1": "100,0001",
            "p0-r2": "100,0002",
        },
    )
    assert response.status_code == 200
    assert "U = <b>0.00011</b>" in response.content.decode()


def test_the_preview_explains_a_bad_cell(client, draft, alice):
    login(client, alice)
    reference = draft.points.get(position=1).reference_id
    response = client.post(
        f"/calibrations/{draft.pk}/points/preview/",
        {"row": "0", "columns": 2, "p0-ref": reference, "p0-r0": "1OO", "p0-r1": "100"},
    )
    assert response.status_code == 200
    assert "is not a number" in response.content.decode()


def test_a_tampered_grid_gets_an_answer_not_a_server_error(client, draft, alice):
    login(client, alice)
    response = client.post(f"/calibrations/{draft.pk}/points/", {"rows": "lots", "columns": "-1"})
    assert response.status_code == 400
    assert draft.points.count() == 2  # nothing was lost
    preview = client.post(
        f"/calibrations/{draft.pk}/points/preview/", {"row": "0", "columns": "x", "p0-ref": "abc"}
    )
    assert preview.status_code == 200


@pytest.mark.parametrize("typed", ["1E+400", "1E+999999", "1" * 61, "0.0000000000000000001"])
def test_a_reading_no_instrument_shows_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError, match="outside what an instrument shows"):
        parse_reading(typed)


@pytest.mark.parametrize("field", ["row", "columns", "p0-ref"])
@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_odd_numbers_in_the_grid_get_an_answer_not_a_server_error(
    client, draft, alice, field, value
):
    login(client, alice)
    data = {"row": "0", "columns": "2", "p0-ref": "1", "p0-r0": "1", "p0-r1": "2", field: value}
    assert client.post(f"/calibrations/{draft.pk}/points/preview/", data).status_code in (200, 404)
    saved = client.post(f"/calibrations/{draft.pk}/points/", {"rows": value, "columns": value})
    assert saved.status_code == 400


def test_a_reference_in_another_unit_is_refused(draft, alice):
    point = draft.points.get(position=1)
    point.range.unit = "kg"
    point.range.save()
    with pytest.raises(
        ValidationError, match="reference value is in g but the instrument reads in kg"
    ):
        cal.calibration_set_point(
            calibration=draft, position=1, reference=point.reference, readings=["1", "1"], by=alice
        )
