"""The procedure, range and scope pages: who may open them, the flow in the browser-less client,
and bad input shown on the form with nothing saved, never a 500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from calibration import services as cal
from calibration.models import InstrumentRange, Procedure, ProcedureStatus, ScopeEntry
from calibration.procedures import procedure_create
from tests.conftest import login

pytestmark = pytest.mark.django_db

CODE = "QTHC-AS-02"
STAFF = ["alice", "bob", "rita", "quinn", "adam"]
CUSTOMERS = ["carol", "oscar"]


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def budget_rows(*rows, prefix="budget", initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


DEFAULT_ROWS = [
    {"name": "r", "source": "readings"},
    {"name": "d_r", "source": "resolution"},
    {"name": "x_ref", "source": "certificate"},
]


def procedure_post(*, rows=DEFAULT_ROWS, **overrides):
    data = {
        "code": CODE,
        "title_vi": "Áp kế kiểu lò xo",
        "title_en": "Bourdon tube pressure gauges",
        "quantity": "pressure",
        "unit": "bar",
        "model": "r + d_r - x_ref",
        "points": "0; 2,5\n5;10",
        "readings_per_point": "3",
        "tolerance_abs": "",
        "tolerance_rel": "1.6",
        "tolerance_source": "class",
        "decision_rule": "simple",
        "temperature_min": "18",
        "temperature_max": "28",
        "humidity_min": "",
        "humidity_max": "",
        "change_note": "",
        **budget_rows(*rows),
    }
    data.update(overrides)
    return data


@pytest.fixture
def gauge_draft(rita):
    return procedure_create(
        by=rita,
        code=CODE,
        title_vi="Áp kế",
        title_en="Pressure gauges",
        quantity="pressure",
        unit="bar",
        points=["0", "5"],
    )


@pytest.fixture
def scope(db):
    return ScopeEntry.objects.create(
        procedure_code="QTHC-KL-01",
        quantity="mass",
        unit="g",
        minimum=Decimal("0"),
        maximum=Decimal("220"),
        cmc_abs=Decimal("0.0002"),
        cmc_rel=Decimal("0"),
    )


@pytest.fixture
def spec(balance, procedure, alice):
    return cal.instrument_range_add(
        instrument=balance,
        procedure=procedure,
        by=alice,
        name="0 – 220 g",
        points=["100", "200"],
        tolerance_abs=Decimal("0.0005"),
    )


# --- Who may open them -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF)
def test_lab_staff_read_the_procedures_and_the_scope(request, client, procedure, scope, persona):
    login(client, request.getfixturevalue(persona))

    listing = client.get("/procedures/")
    page = client.get(f"/procedures/{procedure.pk}/")
    scope_page = client.get("/scope/")

    assert listing.status_code == 200
    assert "QTHC-KL-01" in listing.content.decode()
    assert page.status_code == 200
    assert "Analytical balances" in page.content.decode()
    assert scope_page.status_code == 200
    assert "0.0002" in scope_page.content.decode()


@pytest.mark.parametrize("persona", CUSTOMERS)
def test_customers_never_see_a_procedure(request, client, procedure, balance, spec, persona):
    login(client, request.getfixturevalue(persona))
    pk = procedure.pk

    for url in [
        "/procedures/",
        f"/procedures/{pk}/",
        "/procedures/new/",
        f"/procedures/{pk}/edit/",
        "/scope/",
        f"/instruments/{balance.pk}/ranges/new/",
        f"/ranges/{spec.pk}/edit/",
        f"/history/procedure/{pk}/",
    ]:
        assert client.get(url).status_code == 403, url
    for url in ["new-version", "approve", "withdraw"]:
        assert client.post(f"/procedures/{pk}/{url}/", {"reason": "x"}).status_code == 403
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.APPROVED


@pytest.mark.parametrize("persona", ["alice", "bob", "adam"])
def test_technicians_and_the_administrator_cannot_write_procedures(
    request, client, procedure, persona
):
    login(client, request.getfixturevalue(persona))

    assert client.get("/procedures/new/").status_code == 403
    assert client.post("/procedures/new/", procedure_post()).status_code == 403
    assert client.get(f"/procedures/{procedure.pk}/edit/").status_code == 403
    response = client.post(f"/procedures/{procedure.pk}/new-version/", {"change_note": "x"})
    assert response.status_code == 403
    assert not Procedure.objects.filter(code=CODE).exists()
    assert Procedure.objects.count() == 1


def test_the_reviewer_drafts_but_does_not_approve(client, rita, gauge_draft):
    login(client, rita)

    page = client.get(f"/procedures/{gauge_draft.pk}/").content.decode()
    response = client.post(f"/procedures/{gauge_draft.pk}/approve/", {"effective_on": "2026-03-01"})

    assert "Edit the draft" in page
    assert f"/procedures/{gauge_draft.pk}/approve/" not in page
    assert response.status_code == 403
    gauge_draft.refresh_from_db()
    assert gauge_draft.status == ProcedureStatus.DRAFT


def test_the_list_costs_the_same_queries_for_many_procedures(
    client, rita, procedure, django_assert_max_num_queries
):
    login(client, rita)
    with django_assert_max_num_queries(8) as few:
        client.get("/procedures/")
    for n in range(12):
        Procedure.objects.create(
            code=f"QTHC-X-{n:02d}",
            title_vi="x",
            title_en="x",
            quantity="mass",
            unit="g",
            status="approved",
            approved_by=rita,
            effective_on=dt.date(2026, 1, 1),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/procedures/")
    assert "QTHC-X-11" in response.content.decode()


def test_the_list_filters_by_status(client, rita, procedure, gauge_draft):
    login(client, rita)

    drafts = client.get("/procedures/?status=draft").content.decode()
    nonsense = client.get("/procedures/?status=<script>")

    assert CODE in drafts and "QTHC-KL-01" not in drafts
    assert nonsense.status_code == 200
    assert "QTHC-KL-01" in nonsense.content.decode()


# --- The flow ----------------------------------------------------------------------------------


def test_a_procedure_is_drafted_edited_approved_and_replaced_in_the_pages(client, rita, quinn):
    login(client, rita)
    rows = DEFAULT_ROWS + [
        {
            "name": "d_h",
            "source": "other",
            "dist": "rectangular",
            "value": "0.05",
            "relative": "on",
            "note": "Trễ / hysteresis",
        },
        {"name": "", "source": "other"},  # a blank extra row is skipped
    ]
    response = client.post(
        "/procedures/new/",
        procedure_post(rows=rows, model="r + d_r - x_ref - d_h", **{"budget-INITIAL_FORMS": "3"}),
    )
    draft = Procedure.objects.get(code=CODE)
    assert response.status_code == 302
    assert response["Location"] == f"/procedures/{draft.pk}/"
    assert draft.points == ["0", "2.5", "5", "10"]
    assert draft.budget[3] == {
        "name": "d_h",
        "source": "other",
        "dist": "rectangular",
        "value": "0.05",
        "relative": True,
        "note": "Trễ / hysteresis",
    }
    assert draft.tolerance_rel == Decimal("1.6")

    form = client.get(f"/procedures/{draft.pk}/edit/")
    assert form.status_code == 200
    assert "0; 2.5; 5; 10" in form.content.decode()
    rows[3]["DELETE"] = "on"
    response = client.post(
        f"/procedures/{draft.pk}/edit/",
        procedure_post(
            rows=rows, reason="No hysteresis after all", **{"budget-INITIAL_FORMS": "4"}
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [c["name"] for c in draft.budget] == ["r", "d_r", "x_ref"]

    login(client, quinn)
    response = client.post(f"/procedures/{draft.pk}/approve/", {"effective_on": "2026-03-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.effective_on, draft.approved_by) == (
        ProcedureStatus.APPROVED,
        dt.date(2026, 3, 1),
        quinn,
    )

    login(client, rita)
    response = client.post(f"/procedures/{draft.pk}/new-version/", {"change_note": "Up to 16 bar"})
    v2 = Procedure.objects.get(code=CODE, version=2)
    assert response["Location"] == f"/procedures/{v2.pk}/edit/"
    login(client, quinn)
    client.post(f"/procedures/{v2.pk}/approve/", {"effective_on": "2026-04-01"})
    draft.refresh_from_db()
    assert draft.status == ProcedureStatus.WITHDRAWN

    page = client.get(f"/procedures/{draft.pk}/").content.decode()
    assert f"/procedures/{v2.pk}/" in page  # the other versions
    assert "Withdrawn" in page


def test_the_history_of_a_version_says_who_approved_and_replaced_it(client, rita, quinn, procedure):
    login(client, rita)
    client.post(f"/procedures/{procedure.pk}/new-version/", {"change_note": "New class"})
    v2 = Procedure.objects.get(code=procedure.code, version=2)
    login(client, quinn)
    client.post(f"/procedures/{v2.pk}/approve/", {"effective_on": "2026-04-01"})

    history = client.get(f"/history/procedure/{procedure.pk}/")
    new = client.get(f"/history/procedure/{v2.pk}/")

    assert history.status_code == 200
    assert "Replaced by version 2" in history.content.decode()
    assert "Approved" in new.content.decode()


def test_the_history_shows_a_changed_budget(client, rita, gauge_draft):
    login(client, rita)
    client.post(
        f"/procedures/{gauge_draft.pk}/edit/",
        procedure_post(rows=DEFAULT_ROWS, reason="Points every 2,5 bar"),
    )

    history = client.get(f"/history/procedure/{gauge_draft.pk}/")

    assert "Points every 2,5 bar" in history.content.decode()


def test_the_page_shows_the_budget_the_people_and_the_grant_link(client, quinn, procedure):
    login(client, quinn)

    page = client.get(f"/procedures/{procedure.pk}/").content.decode()

    assert "x_ref" in page and "Standard&#x27;s certificate" in page
    assert "Nguyễn Alice" in page and "Trần Bob" in page and "Lê Rita" in page
    assert "/competence/grant/?code=QTHC-KL-01" in page
    assert f"/history/procedure/{procedure.pk}/" in page


def test_the_grant_link_is_only_for_the_quality_manager(client, rita, procedure):
    login(client, rita)
    assert "/competence/grant/" not in client.get(f"/procedures/{procedure.pk}/").content.decode()


def test_the_quality_manager_withdraws_with_a_reason(client, quinn, procedure):
    login(client, quinn)

    refused = client.post(f"/procedures/{procedure.pk}/withdraw/", {"reason": ""})
    procedure.refresh_from_db()
    assert refused.status_code == 302 and procedure.status == ProcedureStatus.APPROVED
    assert "Say why the procedure is withdrawn." in texts(refused)

    client.post(f"/procedures/{procedure.pk}/withdraw/", {"reason": "Replaced by OIML R 76"})
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.WITHDRAWN


def test_an_approved_version_sends_its_editor_to_write_a_new_one(client, rita, procedure):
    login(client, rita)

    response = client.get(f"/procedures/{procedure.pk}/edit/")
    posted = client.post(
        f"/procedures/{procedure.pk}/edit/", procedure_post(reason="sneak", title_en="Hacked")
    )

    assert response.status_code == 302
    assert "cannot change: write a new version" in " ".join(texts(response))
    assert posted.status_code == 302
    procedure.refresh_from_db()
    assert procedure.title_en == "Analytical balances"


def test_a_second_draft_is_refused_with_a_message(client, rita, procedure):
    login(client, rita)
    client.post(f"/procedures/{procedure.pk}/new-version/", {"change_note": "first"})

    response = client.post(f"/procedures/{procedure.pk}/new-version/", {"change_note": "second"})

    assert response.status_code == 302
    assert "still a draft" in " ".join(texts(response))
    assert Procedure.objects.filter(code=procedure.code).count() == 2


@pytest.mark.parametrize("move", ["new-version", "approve", "withdraw"])
def test_moves_are_post_only(client, quinn, procedure, move):
    login(client, quinn)
    assert client.get(f"/procedures/{procedure.pk}/{move}/").status_code == 405


@pytest.mark.parametrize("url", ["/procedures/", "/procedures/{pk}/", "/scope/"])
def test_reading_pages_answer_only_get(client, quinn, procedure, url):
    login(client, quinn)
    assert client.post(url.format(pk=procedure.pk)).status_code == 405


def test_a_bad_approval_date_is_refused(client, quinn, gauge_draft):
    login(client, quinn)

    response = client.post(f"/procedures/{gauge_draft.pk}/approve/", {"effective_on": "31/02"})

    assert response.status_code == 302
    gauge_draft.refresh_from_db()
    assert gauge_draft.status == ProcedureStatus.DRAFT


# --- Bad input is a form error -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "rows", "message"),
    [
        ({"tolerance_rel": "abc"}, DEFAULT_ROWS, "Enter a number."),
        ({"tolerance_rel": "1.6.2"}, DEFAULT_ROWS, "Enter a number."),
        ({"temperature_min": "1,2,3"}, DEFAULT_ROWS, "Enter a number."),
        ({"title_vi": ""}, DEFAULT_ROWS, "This field is required."),
        ({"code": "   "}, DEFAULT_ROWS, "This field is required."),
        ({"points": "10; abc"}, DEFAULT_ROWS, "“abc” is not a number"),
        ({"points": "1.2.3"}, DEFAULT_ROWS, "“1.2.3” is not a number"),
        ({"temperature_min": "30"}, DEFAULT_ROWS, "cannot be below the lowest"),
        ({"readings_per_point": "x"}, DEFAULT_ROWS, "Enter a whole number."),
        ({"model": "r + d_r - x_ref + zz"}, DEFAULT_ROWS, "&#x27;zz&#x27;, which is not an input"),
        ({"model": "r +* x_ref"}, DEFAULT_ROWS, "cannot read the model"),
        ({}, DEFAULT_ROWS[:2], "exactly one component from certificate"),
        (
            {},
            DEFAULT_ROWS + [{"name": "r", "source": "drift", "dist": "normal", "value": "1"}],
            "the name r is used twice",
        ),
        ({}, DEFAULT_ROWS + [{"name": "t", "source": "temperature"}], "Choose a distribution"),
        (
            {},
            DEFAULT_ROWS + [{"name": "t", "source": "temperature", "dist": "normal", "value": "x"}],
            "Enter a number.",
        ),
        (
            {},
            DEFAULT_ROWS + [{"name": "t", "source": "sorcery", "dist": "normal", "value": "1"}],
            "Select a valid choice.",
        ),
        ({}, DEFAULT_ROWS + [{"name": "2t", "source": "resolution"}], "must be a single word"),
    ],
)
def test_bad_procedure_input_is_shown_and_nothing_is_saved(client, rita, overrides, rows, message):
    login(client, rita)

    response = client.post("/procedures/new/", procedure_post(rows=rows, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Procedure.objects.filter(code=CODE).exists()


def test_a_broken_management_form_is_a_form_error(client, rita):
    login(client, rita)
    data = procedure_post()
    data["budget-TOTAL_FORMS"] = "lots"

    response = client.post("/procedures/new/", data)

    assert response.status_code == 200
    assert not Procedure.objects.filter(code=CODE).exists()


def test_an_edit_needs_a_reason(client, rita, gauge_draft):
    login(client, rita)

    response = client.post(
        f"/procedures/{gauge_draft.pk}/edit/", procedure_post(title_en="Gauges", reason="")
    )

    assert response.status_code == 200
    gauge_draft.refresh_from_db()
    assert gauge_draft.title_en == "Pressure gauges"


def test_an_existing_code_is_refused_on_the_form(client, rita, procedure):
    login(client, rita)

    response = client.post("/procedures/new/", procedure_post(code="QTHC-KL-01"))

    assert response.status_code == 200
    assert "exists already" in response.content.decode()


def test_a_vietnamese_page_reads_a_comma_as_the_decimal_mark(client, rita):
    login(client, rita)
    client.cookies["django_language"] = "vi"

    response = client.post(
        "/procedures/new/", procedure_post(tolerance_rel="1,6", temperature_min="18,5")
    )

    assert response.status_code == 302
    procedure = Procedure.objects.get(code=CODE)
    assert (procedure.tolerance_rel, procedure.temperature_min) == (Decimal("1.6"), Decimal("18.5"))


# --- Ranges of an instrument -------------------------------------------------------------------


def test_a_range_is_drawn_from_the_procedure_and_changed_for_the_instrument(
    client, alice, balance, procedure
):
    Procedure.objects.filter(pk=procedure.pk).update(
        points=["50", "100", "200"], tolerance_abs=Decimal("0.001")
    )
    login(client, alice)

    choose = client.get(f"/instruments/{balance.pk}/ranges/new/")
    form = client.get(f"/instruments/{balance.pk}/ranges/new/?procedure={procedure.pk}")
    response = client.post(
        f"/instruments/{balance.pk}/ranges/new/",
        {
            "procedure": str(procedure.pk),
            "name": "0 – 220 g",
            "unit": "g",
            "resolution": "0.0001",
            "points": "100\n200,5",
            "tolerance_abs": "0.0005",
            "tolerance_rel": "",
            "tolerance_source": "maker",
            "reason": "",
        },
    )

    assert choose.status_code == 200 and "QTHC-KL-01" in choose.content.decode()
    assert "50; 100; 200" in form.content.decode()
    assert response.status_code == 302
    spec = InstrumentRange.objects.get(instrument=balance)
    assert (spec.procedure_code, spec.points, spec.tolerance_abs) == (
        "QTHC-KL-01",
        ["100", "200.5"],
        Decimal("0.0005"),
    )
    page = client.get(f"/instruments/{balance.pk}/").content.decode()
    assert "Ranges and channels" in page and f"/ranges/{spec.pk}/edit/" in page
    assert "100; 200.5" in page


def test_a_range_change_needs_a_reason_and_is_in_the_history(client, rita, spec):
    login(client, rita)
    data = {
        "name": "0 – 220 g",
        "unit": "g",
        "resolution": "0.0001",
        "points": "100; 150; 200",
        "tolerance_abs": "0.0005",
        "tolerance_rel": "",
        "tolerance_source": "class",
        "reason": "",
    }

    refused = client.post(f"/ranges/{spec.pk}/edit/", data)
    data["reason"] = "Customer asked for 150 g"
    accepted = client.post(f"/ranges/{spec.pk}/edit/", data)

    assert refused.status_code == 200
    assert accepted.status_code == 302
    spec.refresh_from_db()
    assert spec.points == ["100", "150", "200"]
    assert spec.history.first().history_change_reason == "Customer asked for 150 g"


def test_the_history_of_a_range_shows_changed_points(client, rita, spec):
    cal.instrument_range_update(range=spec, by=rita, reason="Add 150 g", points=["100", "150"])
    login(client, rita)

    history = client.get(f"/history/range/{spec.pk}/")

    assert "Add 150 g" in history.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("resolution", "0", "greater than zero"),
        ("resolution", "abc", "Enter a number."),
        ("points", "100; 1,2,3", "is not a number"),
        ("tolerance_abs", "0.1.2", "Enter a number."),
        ("name", "", "This field is required."),
    ],
)
def test_bad_range_input_is_shown_and_nothing_is_saved(client, alice, spec, field, value, message):
    login(client, alice)
    data = {
        "name": "0 – 220 g",
        "unit": "g",
        "resolution": "0.0001",
        "points": "100; 200",
        "tolerance_abs": "0.0005",
        "tolerance_rel": "",
        "tolerance_source": "class",
        "reason": "check",
        field: value,
    }

    response = client.post(f"/ranges/{spec.pk}/edit/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    spec.refresh_from_db()
    assert spec.points == ["100", "200"]


def test_a_range_cannot_be_drawn_from_a_draft(client, alice, balance, gauge_draft):
    login(client, alice)

    response = client.post(
        f"/instruments/{balance.pk}/ranges/new/",
        {
            "procedure": str(gauge_draft.pk),
            "name": "0 – 10 bar",
            "unit": "bar",
            "resolution": "0.1",
            "points": "",
            "tolerance_source": "class",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not InstrumentRange.objects.exists()


def test_a_duplicate_range_name_is_refused_on_the_form(client, alice, balance, procedure, spec):
    login(client, alice)

    response = client.post(
        f"/instruments/{balance.pk}/ranges/new/",
        {
            "procedure": str(procedure.pk),
            "name": "0 – 220 g",
            "unit": "g",
            "resolution": "0.0001",
            "points": "100",
            "tolerance_source": "class",
        },
    )

    assert response.status_code == 200
    assert "already has a range with this name" in response.content.decode()


@pytest.mark.parametrize("persona", ["quinn", "carol", "oscar"])
def test_the_quality_manager_and_customers_do_not_edit_ranges(request, client, spec, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(f"/ranges/{spec.pk}/edit/").status_code == 403
    assert client.get(f"/instruments/{spec.instrument_id}/ranges/new/").status_code == 403


def test_a_customer_sees_the_ranges_of_their_instrument_without_edit_links(client, carol, spec):
    login(client, carol)

    page = client.get(f"/instruments/{spec.instrument_id}/").content.decode()

    assert "0 – 220 g" in page
    assert "/edit/" not in page and "/ranges/new/" not in page


def test_another_customers_instrument_stays_hidden(client, alice, oscar, balance):
    login(client, oscar)
    assert client.get(f"/instruments/{balance.pk}/").status_code == 404


# --- Scope ------------------------------------------------------------------------------------


def test_the_scope_links_each_line_to_the_procedure_in_use(client, rita, procedure, scope):
    ScopeEntry.objects.create(
        procedure_code="QTHC-NONE",
        quantity="temperature",
        unit="°C",
        minimum=Decimal("-30"),
        maximum=Decimal("150"),
        cmc_rel=Decimal("0.5"),
        accredited=False,
    )
    login(client, rita)

    page = client.get("/scope/").content.decode()

    assert f"/procedures/{procedure.pk}/" in page
    assert "no approved version" in page
    assert "0.5 %" in page


def test_the_administrator_edits_the_scope_in_the_admin_and_min_above_max_is_refused(client, adam):
    adam.is_staff = adam.is_superuser = True
    adam.save()
    login(client, adam)
    data = {
        "procedure_code": "QTHC-KL-01",
        "quantity": "mass",
        "unit": "g",
        "minimum": "220",
        "maximum": "0",
        "cmc_abs": "0.0002",
        "cmc_rel": "0",
        "accredited": "on",
    }

    refused = client.post("/admin/calibration/scopeentry/add/", data)
    data["minimum"], data["maximum"] = "0", "220"
    accepted = client.post("/admin/calibration/scopeentry/add/", data)

    assert refused.status_code == 200
    assert "cannot be below its start" in refused.content.decode()
    assert accepted.status_code == 302
    assert ScopeEntry.objects.get().history.get().history_user == adam


def test_procedures_are_read_only_in_the_admin(client, adam, procedure):
    adam.is_staff = adam.is_superuser = True
    adam.save()
    login(client, adam)

    assert client.get("/admin/calibration/procedure/").status_code == 200
    assert client.get("/admin/calibration/procedure/add/").status_code == 403
