"""The reading grid: sections per range × phase, saving all or nothing, drafts, conditions."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Adjustment, EntryDraft, MeasurementPoint, Phase
from tests.conftest import login


@pytest.fixture
def two_ranges(customer, alice, procedure):
    """A two-range balance, each range with its own points, resolution and tolerance."""
    instrument = cal.instrument_register(
        customer=customer,
        by=alice,
        name="Cân hai thang đo",
        manufacturer="Mettler",
        model="XPR",
        serial_number="DR-2",
        measuring_range="0 – 220 g",
        resolution=Decimal("0.0001"),
        unit="g",
    )
    fine = cal.instrument_range_add(
        instrument=instrument,
        procedure=procedure,
        by=alice,
        name="0 – 120 g",
        resolution=Decimal("0.00001"),
        points=["100"],
        tolerance_abs=Decimal("0.0005"),
    )
    coarse = cal.instrument_range_add(
        instrument=instrument,
        procedure=procedure,
        by=alice,
        name="0 – 220 g",
        resolution=Decimal("0.0001"),
        points=["100", "200"],
        tolerance_abs=Decimal("0.002"),
    )
    return instrument, fine, coarse


@pytest.fixture
def adjusted(two_ranges, procedure, weights, alice, today):
    instrument, _fine, _coarse = two_ranges
    return cal.calibration_create(
        instrument=instrument,
        procedure=procedure,
        by=alice,
        received_on=today,
        performed_on=today,
        temperature=Decimal("23.0"),
        humidity=Decimal("55"),
        standards=[weights],
        adjustment=Adjustment.ADJUSTED,
    )


def refs(calibration):
    return {v.label: str(v.pk) for v in cal.allowed_references(calibration)}


def grid(sections, columns=3):
    """The grid's fields: `sections` is [(range, phase, [(reference, [readings…]), …]), …]."""
    data = {"sections": str(len(sections)), "columns": str(columns)}
    index = 0
    for k, (spec, phase, rows) in enumerate(sections):
        data.update({f"s{k}-range": str(spec.pk), f"s{k}-phase": phase, f"s{k}-rows": len(rows)})
        for reference, readings in rows:
            data[f"p{index}-ref"] = reference
            for j in range(columns):
                data[f"p{index}-r{j}"] = readings[j] if j < len(readings) else ""
            index += 1
    data["rows"] = str(index)
    return data


def stored(calibration):
    return [
        (p.range.name, p.phase, p.position, p.readings)
        for p in MeasurementPoint.objects.filter(calibration=calibration).order_by(
            "range__position", "phase", "position"
        )
    ]


# --- The page ------------------------------------------------------------------------------------


def test_the_page_has_a_section_per_range_and_phase_with_the_agreed_points(
    client, adjusted, two_ranges
):
    _instrument, fine, coarse = two_ranges
    page = login(client, adjusted.technician).get(f"/calibrations/{adjusted.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for spec in (fine, coarse):
        for phase in ("as_found", "as_left"):
            assert f'data-section="{spec.pk}-{phase}"' in html
    assert "As found (before adjustment)" in html and "As left (after adjustment)" in html
    assert "0.00001 g" in html and "± 0.002 g" in html  # each range's resolution and tolerance
    # the agreed nominal 100 g has its reference preselected, 200 g too on the coarse range
    r = refs(adjusted)
    sections = page.context["entry"]["sections"]
    assert [row.reference for row in sections[0].rows] == [r["100 g"], "", ""]
    assert [row.reference for row in sections[2].rows] == [r["100 g"], r["200 g"], "", ""]
    assert page.context["entry"]["column_count"] == 5  # the procedure's readings per point


def test_an_initial_calibration_says_as_found_does_not_apply(client, draft, alice):
    cal.calibration_set_conditions(
        calibration=draft,
        by=alice,
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        adjustment=Adjustment.INITIAL,
    )
    html = login(client, alice).get(f"/calibrations/{draft.pk}/").content.decode()
    assert "Initial calibration: as found does not apply" in html
    assert "as_found" not in html.split('id="entry"')[1].split("</form>")[0]


# --- Saving the grid -----------------------------------------------------------------------------


def test_the_grid_saves_two_ranges_as_found_and_as_left(client, adjusted, alice, two_ranges):
    _instrument, fine, coarse = two_ranges
    r = refs(adjusted)
    data = grid(
        [
            (fine, Phase.AS_FOUND, [(r["100 g"], ["100,00031", "100.00033", "100.00032"])]),
            (fine, Phase.AS_LEFT, [(r["100 g"], ["100.00002", "100,00003"]), ("", [])]),
            (coarse, Phase.AS_FOUND, [(r["100 g"], ["100.0004", "100.0004"]), ("", ["", ""])]),
            (
                coarse,
                Phase.AS_LEFT,
                [(r["100 g"], ["100.0001", "100.0000"]), (r["200 g"], ["199.9999", "200.0000"])],
            ),
        ]
    )
    response = login(client, alice).post(f"/calibrations/{adjusted.pk}/points/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored(adjusted) == [
        ("0 – 120 g", "as_found", 1, ["100.00031", "100.00033", "100.00032"]),
        ("0 – 120 g", "as_left", 1, ["100.00002", "100.00003"]),
        ("0 – 220 g", "as_found", 1, ["100.0004", "100.0004"]),
        ("0 – 220 g", "as_left", 1, ["100.0001", "100.0000"]),
        ("0 – 220 g", "as_left", 2, ["199.9999", "200.0000"]),
    ]
    # each range its own tolerance: ± 0.0005 g on the fine range, ± 0.002 g on the coarse one
    point = adjusted.points.get(range=fine, phase=Phase.AS_LEFT)
    assert point.result["tolerance"] == "0.0005" and point.result["resolution"] == "0.00001"
    assert adjusted.points.get(range=coarse, position=2).result["tolerance"] == "0.002"
    # the saved page shows the points in their sections, with their computed cells
    page = client.get(f"/calibrations/{adjusted.pk}/")
    sections = page.context["entry"]["sections"]
    assert sections[3].rows[1].readings[:2] == ["199.9999", "200.0000"]
    assert (
        sections[3].rows[1].shown["mean"]
        == point.calibration.points.get(range=coarse, position=2).result["mean"]
    )


def test_errors_name_the_row_and_nothing_is_saved(client, adjusted, alice, two_ranges):
    _instrument, fine, coarse = two_ranges
    r = refs(adjusted)
    login(client, alice)
    good = grid([(coarse, Phase.AS_LEFT, [(r["100 g"], ["100.0001", "100.0002"])])])
    assert client.post(f"/calibrations/{adjusted.pk}/points/", good).status_code == 302
    before = stored(adjusted)
    data = grid(
        [
            (fine, Phase.AS_FOUND, [(r["100 g"], ["100.0001", "100.0002"]), ("", [])]),
            (fine, Phase.AS_LEFT, [(r["100 g"], ["100.0001", "1,2,3", "100.0002"])]),
            (coarse, Phase.AS_LEFT, [("", ["100.0001", "100.0002"])]),
        ]
    )
    response = client.post(f"/calibrations/{adjusted.pk}/points/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Row 3: Reading 2: “1,2,3” is not a number" in html
    assert "Row 4: choose the reference value." in html
    assert stored(adjusted) == before
    # the grid comes back as it was typed, the bad cell marked with its own message
    assert 'value="1,2,3"' in html
    row = response.context["entry"]["sections"][1].rows[0]
    assert row.number == 3 and "is not a number" in row.messages["r1"]
    assert 'id="p2-r1" data-field="r1" value="1,2,3"' in html
    assert 'aria-describedby="p2-r1-msg" aria-invalid="true"' in html


def test_as_found_readings_are_refused_when_the_instrument_was_not_adjusted(client, draft, alice):
    spec = cal.ranges_of(draft).get()
    r = refs(draft)
    data = grid([(spec, Phase.AS_FOUND, [(r["100 g"], ["100.0001", "100.0002"])])])
    response = login(client, alice).post(f"/calibrations/{draft.pk}/points/", data)
    assert response.status_code == 400
    assert "Row 1: As-found readings are entered only when the instrument is adjusted." in (
        response.content.decode()
    )
    assert draft.points.count() == 2


def sections_of(draft):
    spec = cal.ranges_of(draft).get()
    return grid([(spec, Phase.AS_LEFT, [(refs(draft)["100 g"], ["100.0001", "100.0002"])])])


@pytest.mark.parametrize(
    "tamper",
    [
        {"rows": ""},
        {"rows": "lots"},
        {"rows": "10000"},
        {"rows": "²"},
        {"columns": "0"},
        {"columns": "100000"},
        {"sections": "x"},
        {"sections": "99999"},
        {"s0-range": "999999"},
        {"s0-range": "abc"},
        {"s0-phase": "sideways"},
        {"s0-rows": "7"},
        {"s0-rows": "-1"},
        {"p0-ref": "9" * 5000},
        {"p0-r0": "1e400"},
        {"p0-r0": "x" * 20000},
    ],
)
def test_a_tampered_grid_gets_an_answer_not_a_server_error(client, draft, alice, tamper):
    data = {**sections_of(draft), **tamper}
    response = login(client, alice).post(f"/calibrations/{draft.pk}/points/", data)
    assert response.status_code == 400
    assert [p.readings for p in draft.points.order_by("position")] == [
        ["100.0002", "100.0001", "100.0002"],
        ["199.9998", "199.9999", "199.9998"],
    ]


def test_ten_thousand_rows_are_refused_not_a_server_error(client, draft, alice):
    data = {"rows": "10000", "columns": "2"}
    data.update({f"p{i}-r0": "1" for i in range(10000)})
    response = login(client, alice).post(f"/calibrations/{draft.pk}/points/", data)
    assert response.status_code == 400
    assert draft.points.count() == 2


def test_a_reason_is_needed_once_the_calibration_was_submitted(client, draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_return(calibration=draft, by=rita, reason="Thiếu điểm")
    login(client, alice)
    html = client.get(f"/calibrations/{draft.pk}/").content.decode()
    assert 'name="reason" id="id_grid_reason"' in html
    data = sections_of(draft)
    response = client.post(f"/calibrations/{draft.pk}/points/", data)
    assert response.status_code == 400 and "say why its data change" in response.content.decode()
    response = client.post(f"/calibrations/{draft.pk}/points/", {**data, "reason": "Đo lại"})
    assert response.status_code == 302
    assert draft.points.get().history.first().history_change_reason == "Đo lại"


# --- Live results --------------------------------------------------------------------------------


def test_the_preview_computes_with_the_rows_own_range(client, adjusted, alice, two_ranges):
    _instrument, fine, coarse = two_ranges
    r = refs(adjusted)
    login(client, alice)
    row = {"row": "4", "columns": "3", "p4-ref": r["100 g"], "p4-r0": "100,0003"}
    row.update({"p4-r1": "100.0004", "p4-r2": ""})
    on_fine = client.post(f"/calibrations/{adjusted.pk}/points/preview/", {**row, "range": fine.pk})
    on_coarse = client.post(
        f"/calibrations/{adjusted.pk}/points/preview/", {**row, "range": coarse.pk}
    )
    assert on_fine.status_code == on_coarse.status_code == 200
    assert on_fine.context["row"].result["tolerance"] == "0.0005"
    assert on_coarse.context["row"].result["tolerance"] == "0.002"
    html = on_fine.content.decode()
    assert 'data-cell="mean">100.00035<' in html and 'id="result-4"' in html
    assert "Pass" in html
    # nothing is written by a preview
    assert not adjusted.points.exists()


def test_the_preview_gives_each_bad_cell_its_own_message(client, adjusted, alice):
    r = refs(adjusted)
    data = {"row": "0", "columns": "3", "p0-ref": r["100 g"]}
    data.update({"p0-r0": "100.1", "p0-r1": "abc", "p0-r2": "1,2,3"})
    response = login(client, alice).post(f"/calibrations/{adjusted.pk}/points/preview/", data)
    html = response.content.decode()
    assert '<li data-for="p0-r1">“abc” is not a number' in html
    assert '<li data-for="p0-r2">“1,2,3” is not a number' in html
    assert 'data-for="p0-r0"' not in html


def test_the_preview_refuses_an_as_found_row_when_not_adjusted(client, draft, alice):
    data = {"row": "0", "columns": "2", "phase": "as_found", "p0-ref": refs(draft)["100 g"]}
    data.update({"p0-r0": "100", "p0-r1": "100"})
    response = login(client, alice).post(f"/calibrations/{draft.pk}/points/preview/", data)
    assert "As-found readings are entered only when the instrument is adjusted." in (
        response.content.decode()
    )


# --- Drafts --------------------------------------------------------------------------------------


def test_a_draft_keeps_every_cell_as_typed_and_comes_back_on_the_page(client, draft, alice):
    login(client, alice)
    data = sections_of(draft)
    data.update({"p0-r1": "1,2,3", "p0-r2": "100,00", "rev": "abc-1"})
    response = client.post(f"/calibrations/{draft.pk}/draft/", data)
    assert response.status_code == 200
    answer = response.json()
    assert answer["stamp"] == "abc-1" and len(answer["time"]) == 8
    kept = EntryDraft.objects.get(calibration=draft)
    assert kept.cells["p0-r1"] == "1,2,3" and kept.cells["p0-r2"] == "100,00"
    assert kept.saved_by == alice

    page = client.get(f"/calibrations/{draft.pk}/")
    html = page.content.decode()
    assert "Unsaved readings restored from" in html
    assert 'value="1,2,3"' in html and 'value="100,00"' in html
    assert 'data-stamp="abc-1"' in html
    row = page.context["entry"]["sections"][0].rows[0]
    assert row.stale and "is not a number" in row.messages["r1"]
    assert len(page.context["entry"]["sections"][0].rows) == 1  # as the draft had it

    # Saving the grid removes the draft, and the page shows the saved points again.
    data.pop("rev")
    data["p0-r1"] = "100.0003"
    assert client.post(f"/calibrations/{draft.pk}/points/", data).status_code == 302
    assert not EntryDraft.objects.filter(calibration=draft).exists()
    html = client.get(f"/calibrations/{draft.pk}/").content.decode()
    assert "Unsaved readings restored" not in html and 'data-stamp="saved:' in html


def test_a_draft_older_than_the_last_save_is_not_shown(client, draft, alice):
    EntryDraft.objects.create(calibration=draft, cells=sections_of(draft), saved_by=alice)
    EntryDraft.objects.filter(calibration=draft).update(
        saved_at=draft.created_at - dt.timedelta(days=1)
    )
    html = login(client, alice).get(f"/calibrations/{draft.pk}/").content.decode()
    assert "Unsaved readings restored" not in html


def test_discarding_removes_the_draft(client, draft, alice):
    login(client, alice)
    client.post(f"/calibrations/{draft.pk}/draft/", sections_of(draft))
    response = client.post(f"/calibrations/{draft.pk}/draft/", {"discard": "1"})
    assert response.status_code == 302
    assert not EntryDraft.objects.filter(calibration=draft).exists()


@pytest.mark.parametrize(
    "tamper",
    [
        {"rows": "lots"},
        {"rows": "100000"},
        {"columns": "-1"},
        {"sections": "²"},
        {"s0-range": "999999"},
        {"s0-phase": "upside_down"},
        {"s0-rows": "5"},
        {"p0-r0": "1" * 101},
        {"rev": "r" * 500},
    ],
)
def test_a_bad_draft_is_refused_with_400(client, draft, alice, tamper):
    response = login(client, alice).post(
        f"/calibrations/{draft.pk}/draft/", {**sections_of(draft), **tamper}
    )
    assert response.status_code == 400
    assert "error" in response.json()
    assert not EntryDraft.objects.exists()


def test_a_huge_draft_is_refused_with_400(client, draft, alice):
    body = {"rows": "0", "columns": "5"}
    body.update({f"p{i}-r0": "1" for i in range(5000)})
    response = login(client, alice).post(f"/calibrations/{draft.pk}/draft/", body)
    assert response.status_code == 400
    json_body = json.dumps(sections_of(draft))
    response = client.post(
        f"/calibrations/{draft.pk}/draft/", json_body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not EntryDraft.objects.exists()


def test_no_draft_is_kept_once_the_calibration_is_submitted(client, draft, alice):
    flow.calibration_submit(calibration=draft, by=alice)
    response = login(client, alice).post(f"/calibrations/{draft.pk}/draft/", sections_of(draft))
    assert response.status_code == 400
    assert not EntryDraft.objects.exists()


# --- Who ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "rita", "quinn", "adam", "carol", "oscar"])
def test_only_the_performing_technician_enters_readings(client, draft, persona, request):
    user = request.getfixturevalue(persona)
    login(client, user)
    data = sections_of(draft)
    for url in ("points/", "points/preview/", "draft/", "conditions/"):
        response = client.post(f"/calibrations/{draft.pk}/{url}", {**data, "row": "0"})
        assert response.status_code == 403, url
    assert not EntryDraft.objects.exists()
    page = client.get(f"/calibrations/{draft.pk}/")
    assert page.status_code == (404 if persona == "oscar" else 200)
    assert 'id="grid"' not in page.content.decode()


def test_the_new_pages_answer_get_with_405(client, draft, alice):
    login(client, alice)
    for url in ("draft/", "conditions/"):
        assert client.get(f"/calibrations/{draft.pk}/{url}").status_code == 405


# --- Conditions ----------------------------------------------------------------------------------


@pytest.fixture
def limited(procedure):
    procedure.temperature_min, procedure.temperature_max = Decimal(18), Decimal(28)
    procedure.humidity_min, procedure.humidity_max = Decimal(30), Decimal(70)
    procedure.save()
    return procedure


def conditions(**fields):
    return {"temperature": "23,5", "humidity": "55", "adjustment": "none", **fields}


def test_conditions_are_saved_with_a_comma(client, draft, alice, limited):
    response = login(client, alice).post(
        f"/calibrations/{draft.pk}/conditions/", conditions(remarks="Cân ổn định")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.temperature, draft.humidity, draft.remarks) == (
        Decimal("23.5"),
        Decimal("55"),
        "Cân ổn định",
    )


def test_an_environment_outside_the_limits_is_refused_and_the_limits_are_shown(
    client, draft, alice, limited
):
    login(client, alice)
    assert (
        "Procedure's limits: 18 – 28 °C"
        in client.get(f"/calibrations/{draft.pk}/").content.decode()
    )
    response = client.post(f"/calibrations/{draft.pk}/conditions/", conditions(temperature="31"))
    assert response.status_code == 400
    assert "Temperature 31 °C is outside the procedure&#x27;s limits 18 – 28 °C." in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.temperature == Decimal("23")


@pytest.mark.parametrize(
    "fields",
    [{"temperature": "warm"}, {"humidity": ""}, {"adjustment": "sometimes"}, {"humidity": "1e400"}],
)
def test_bad_conditions_are_refused_with_a_message(client, draft, alice, fields):
    response = login(client, alice).post(
        f"/calibrations/{draft.pk}/conditions/", conditions(**fields)
    )
    assert response.status_code == 400


def test_adjusting_adds_the_as_found_sections(client, draft, alice):
    login(client, alice)
    response = client.post(
        f"/calibrations/{draft.pk}/conditions/",
        conditions(temperature="23", adjustment="adjusted"),
    )
    assert response.status_code == 302
    page = client.get(f"/calibrations/{draft.pk}/")
    assert [s.phase for s in page.context["entry"]["sections"]] == ["as_found", "as_left"]
    # the saved (as-left) points stay in their section; as found starts empty
    assert page.context["entry"]["sections"][1].rows[0].readings[:3] == [
        "100.0002",
        "100.0001",
        "100.0002",
    ]


# --- Language and cost ---------------------------------------------------------------------------


def test_vietnamese_pages_show_and_take_a_decimal_comma(client, draft, alice, settings):
    settings.LANGUAGE_CODE = "vi"
    login(client, alice)
    client.cookies["django_language"] = "vi"
    page = client.get(f"/calibrations/{draft.pk}/")
    html = page.content.decode()
    assert '<html lang="vi">' in html
    assert 'value="100,0002"' in html  # the saved reading, with the Vietnamese mark
    assert 'data-cell="mean">100,00017<' in html
    data = sections_of(draft)
    data.update({"p0-r0": "100,0004", "p0-r1": "100,0005"})
    assert client.post(f"/calibrations/{draft.pk}/points/", data).status_code == 302
    assert draft.points.get().readings == ["100.0004", "100.0005"]


def points_page(client, calibration, alice, count):
    spec = cal.ranges_of(calibration).get()
    reference = refs(calibration)["100 g"]
    rows = [(reference, ["100.0001", "100.0002", "100.0003"]) for _ in range(count)]
    data = grid([(spec, Phase.AS_LEFT, rows)])
    assert client.post(f"/calibrations/{calibration.pk}/points/", data).status_code == 302
    return f"/calibrations/{calibration.pk}/", data


def test_the_entry_page_costs_the_same_queries_for_5_or_50_points(
    client, draft, alice, django_assert_max_num_queries
):
    login(client, alice)
    url, _data = points_page(client, draft, alice, 5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    five = len(five)  # now: the log is emptied at each request
    _url, fifty = points_page(client, draft, alice, 50)
    assert draft.points.count() == 50
    with django_assert_max_num_queries(five):
        assert client.get(url).status_code == 200
    # and a restored draft of 50 rows costs no more
    assert client.post(f"/calibrations/{draft.pk}/draft/", fifty).status_code == 200
    with django_assert_max_num_queries(five + 1):
        assert "Unsaved readings restored" in client.get(url).content.decode()


def test_a_draft_or_a_save_typed_over_readings_saved_since_is_refused(client, draft, alice):
    login(client, alice)
    page = client.get(f"/calibrations/{draft.pk}/").content.decode()
    base = re.search(r'name="base" value="([^"]+)"', page).group(1)
    # another tab saves the grid: the readings change under this page
    assert (
        client.post(
            f"/calibrations/{draft.pk}/points/", {**sections_of(draft), "base": base}
        ).status_code
        == 302
    )
    stale = {**sections_of(draft), "base": base, "p0-r0": "100.0009"}
    answer = client.post(f"/calibrations/{draft.pk}/draft/", stale)
    assert answer.status_code == 409
    assert "saved from another page" in answer.json()["error"]
    refused = client.post(f"/calibrations/{draft.pk}/points/", stale)
    assert refused.status_code == 400
    assert draft.points.get().readings == ["100.0001", "100.0002"]
    assert not EntryDraft.objects.exists()


def test_unsaved_readings_stop_the_submission_and_the_import(client, draft, alice):
    from calibration.imports import ImportRejected, import_points, parse_import
    from calibration.services import WorkflowError

    login(client, alice)
    page = client.get(f"/calibrations/{draft.pk}/").content.decode()
    base = re.search(r'name="base" value="([^"]+)"', page).group(1)
    typed = {**sections_of(draft), "base": base, "p0-r0": "100.0009"}
    assert client.post(f"/calibrations/{draft.pk}/draft/", typed).status_code == 200
    with pytest.raises(WorkflowError, match="typed and not saved"):
        flow.calibration_submit(calibration=draft, by=alice)
    result = parse_import(draft, "r.csv", b"nominal,r1,r2\n200,199.9998,199.9999\n")
    with pytest.raises((WorkflowError, ImportRejected)):
        import_points(calibration=draft, result=result, by=alice)
    assert draft.points.count() == 2
