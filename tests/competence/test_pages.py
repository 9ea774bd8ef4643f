"""The authorisation pages: who may open them, and that bad input is a form error, never a 500."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from competence import registry
from competence.models import Activity, Authorisation, Evidence
from competence.services import authorisation_grant
from tests.conftest import login

pytestmark = pytest.mark.django_db

CODE = "QTHC-KL-01"


@pytest.fixture(autouse=True)
def _registry_alone(monkeypatch):
    """Each test starts with no source of codes (the calibration app registers one at start-up)."""
    monkeypatch.setattr(registry, "_sources", [])


@pytest.fixture
def held(bob, quinn, today):
    return authorisation_grant(
        person=bob,
        procedure_code=CODE,
        activity=Activity.PERFORM,
        valid_from=today - dt.timedelta(days=30),
        evidence_kind=Evidence.SUPERVISED_WORK,
        evidence="12 supervised calibrations of analytical balances",
        by=quinn,
    )


@pytest.fixture
def procedures():
    """A source of procedure codes, as the calibration app registers; removed afterwards."""

    def source():
        return [(CODE, "Analytical balances"), ("QTHC-AS-02", "Pressure gauges")]

    registry.register_codes(source)
    yield source
    registry.unregister_codes(source)


def form_data(person, /, **overrides):
    return {
        "person": str(person.pk),
        "procedure_code": CODE,
        "activity": Activity.APPROVE,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "evidence_kind": Evidence.ASSESSMENT,
        "evidence": "Witnessed assessment by the technical manager, 03/2026",
        "reason": "",
        **overrides,
    }


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Who may open them -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "rita", "quinn", "adam"])
def test_lab_staff_see_the_list_and_a_competence_record(request, client, held, persona):
    login(client, request.getfixturevalue(persona))

    listing = client.get("/competence/")
    record = client.get(f"/competence/people/{held.person_id}/")

    assert listing.status_code == 200
    assert CODE in listing.content.decode()
    assert record.status_code == 200
    assert "12 supervised calibrations" in record.content.decode()


@pytest.mark.parametrize("persona", ["carol", "oscar"])
def test_customer_users_are_refused_every_page(request, client, held, persona):
    login(client, request.getfixturevalue(persona))

    assert client.get("/competence/").status_code == 403
    assert client.get(f"/competence/people/{held.person_id}/").status_code == 403
    assert client.get("/competence/grant/").status_code == 403
    assert client.get(f"/history/authorisation/{held.pk}/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, held):
    for url in ("/competence/", f"/competence/people/{held.person_id}/", "/competence/grant/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_a_customer_user_has_no_competence_record(client, alice, carol):
    assert login(client, alice).get(f"/competence/people/{carol.pk}/").status_code == 404
    assert client.get("/competence/people/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "rita", "adam"])
def test_only_the_quality_manager_may_open_the_grant_form(request, client, persona):
    assert (
        login(client, request.getfixturevalue(persona)).get("/competence/grant/").status_code == 403
    )


def test_the_grant_button_is_shown_only_to_the_quality_manager(client, alice, quinn, held):
    assert "/competence/grant/" not in login(client, alice).get("/competence/").content.decode()
    assert "/competence/grant/" in login(client, quinn).get("/competence/").content.decode()


def test_the_history_of_an_authorisation_names_who_and_why(client, alice, held):
    response = login(client, alice).get(f"/history/authorisation/{held.pk}/")

    assert response.status_code == 200
    assert "Authorisation granted" in response.content.decode()
    assert "Phạm Quinn" in response.content.decode()


# --- The list ------------------------------------------------------------------------------------


def test_the_list_says_why_an_authorisation_is_not_in_force_today(client, alice, quinn, today):
    authorisation_grant(
        person=alice,
        procedure_code="QTHC-AS-02",
        activity=Activity.REVIEW,
        valid_from=today + dt.timedelta(days=10),
        evidence_kind=Evidence.TRAINING,
        evidence="Course",
        by=quinn,
    )

    page = login(client, alice).get("/competence/").content.decode()

    starts = (today + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert f"The authorisation starts on {starts}" in page


def test_the_list_filters_by_person_and_by_procedure_code(client, alice, quinn, held, today):
    authorisation_grant(
        person=alice,
        procedure_code="QTHC-AS-02",
        activity=Activity.PERFORM,
        valid_from=today,
        evidence_kind=Evidence.TRAINING,
        evidence="Pressure course",
        by=quinn,
    )
    login(client, alice)

    by_person = client.get(f"/competence/?person={alice.pk}").content.decode()
    by_code = client.get("/competence/?code=kl-01").content.decode()
    nonsense = client.get("/competence/?person=abc&page=zz")

    assert "Pressure course" in by_person and "12 supervised" not in by_person
    assert "12 supervised" in by_code and "Pressure course" not in by_code
    assert nonsense.status_code == 200


# --- Granting --------------------------------------------------------------------------------------


def test_the_grant_form_is_prefilled_from_the_address(client, quinn, bob):
    page = login(client, quinn).get(f"/competence/grant/?person={bob.pk}&code={CODE}")

    assert page.status_code == 200
    assert page.context["form"].initial["person"] == bob.pk
    assert page.context["form"].initial["procedure_code"] == CODE


def test_a_prefill_naming_nobody_is_ignored(client, quinn, carol):
    for person in ("999999", "abc", str(carol.pk)):
        page = login(client, quinn).get(f"/competence/grant/?person={person}")
        assert page.status_code == 200
        assert "person" not in page.context["form"].initial


def test_the_quality_manager_grants_from_the_form(client, quinn, bob):
    response = login(client, quinn).post("/competence/grant/", form_data(bob, reason="PT passed"))

    assert response.status_code == 302
    assert response["Location"] == f"/competence/people/{bob.pk}/"
    authorisation = Authorisation.objects.get()
    assert (authorisation.person, authorisation.granted_by) == (bob, quinn)
    assert authorisation.valid_until == dt.date(2026, 12, 31)
    snapshot = authorisation.history.get()
    assert (snapshot.history_user, snapshot.history_change_reason) == (quinn, "PT passed")


def test_an_open_ended_grant_from_the_form(client, quinn, bob):
    login(client, quinn).post("/competence/grant/", form_data(bob, valid_until=""))

    assert Authorisation.objects.get().valid_until is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"evidence": ""}, "evidence"),
        ({"evidence": "   "}, "evidence"),
        ({"valid_until": "2025-12-31"}, "valid_until"),
        ({"valid_from": "31/31/2026"}, "valid_from"),
        ({"valid_from": ""}, "valid_from"),
        ({"person": "999999"}, "person"),
        ({"person": "not-a-number"}, "person"),
        ({"activity": "sign-blindly"}, "activity"),
        ({"evidence_kind": "rumour"}, "evidence_kind"),
        ({"procedure_code": ""}, "procedure_code"),
        ({"procedure_code": "X" * 41}, "procedure_code"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(client, quinn, bob, change, field):
    response = login(client, quinn).post("/competence/grant/", form_data(bob, **change))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Authorisation.objects.exists()


def test_a_customer_user_cannot_be_chosen_on_the_form(client, quinn, carol):
    response = login(client, quinn).post("/competence/grant/", form_data(carol))

    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not Authorisation.objects.exists()


def test_a_refusal_of_the_service_is_shown_on_the_form(client, quinn, bob):
    self_grant = login(client, quinn).post("/competence/grant/", form_data(quinn))
    client.post("/competence/grant/", form_data(bob))
    overlap = client.post("/competence/grant/", form_data(bob, valid_from="2026-06-01"))

    assert self_grant.status_code == overlap.status_code == 200
    assert "cannot grant an authorisation to yourself" in " ".join(
        self_grant.context["form"].non_field_errors()
    )
    assert "already holds an authorisation to approve QTHC-KL-01" in " ".join(
        overlap.context["form"].non_field_errors()
    )
    assert Authorisation.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "rita", "adam", "carol"])
def test_a_grant_posted_by_anyone_else_is_refused(request, client, bob, persona):
    response = login(client, request.getfixturevalue(persona)).post(
        "/competence/grant/", form_data(bob)
    )

    assert response.status_code == 403
    assert not Authorisation.objects.exists()


def test_the_form_offers_the_registered_procedures(client, quinn, bob, procedures):
    page = login(client, quinn).get("/competence/grant/")
    choices = dict(page.context["form"].fields["procedure_code"].choices)

    assert choices[CODE] == "QTHC-KL-01 — Analytical balances"
    assert "QTHC-AS-02" in choices

    unknown = client.post("/competence/grant/", form_data(bob, procedure_code="QTHC-XX-99"))
    assert "procedure_code" in unknown.context["form"].errors
    assert client.post("/competence/grant/", form_data(bob)).status_code == 302


def test_the_registry_merges_sources_and_forgets_one_unregistered(procedures):
    def another():
        return [("QTHC-AS-02", "Other label"), ("QTHC-NH-03", "Thermometers")]

    registry.register_codes(another)
    registry.register_codes(another)
    try:
        assert registry.known_codes() == [
            ("QTHC-AS-02", "Pressure gauges"),
            (CODE, "Analytical balances"),
            ("QTHC-NH-03", "Thermometers"),
        ]
    finally:
        registry.unregister_codes(another)
    assert [code for code, _ in registry.known_codes()] == ["QTHC-AS-02", CODE]


def test_without_a_source_the_code_is_typed(client, quinn):
    assert not registry.has_sources()
    page = login(client, quinn).get("/competence/grant/")

    assert 'name="procedure_code"' in page.content.decode()
    assert not hasattr(page.context["form"].fields["procedure_code"], "choices")


# --- Revoking --------------------------------------------------------------------------------------


def test_the_quality_manager_revokes_from_the_competence_record(client, quinn, held, today):
    record = login(client, quinn).get(f"/competence/people/{held.person_id}/").content.decode()
    assert f"/competence/{held.pk}/revoke/" in record

    response = client.post(
        f"/competence/{held.pk}/revoke/", {"on": today.isoformat(), "reason": "Failed the PT"}
    )

    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.revoked_on, held.revoked_reason) == (today, "Failed the PT")
    assert held.history.latest().history_user == quinn
    assert "Authorisation revoked." in texts(response)


def test_others_see_no_revoke_form_and_are_refused(client, alice, held, today):
    record = login(client, alice).get(f"/competence/people/{held.person_id}/").content.decode()
    assert f"/competence/{held.pk}/revoke/" not in record

    response = client.post(f"/competence/{held.pk}/revoke/", {"on": today, "reason": "x"})

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.revoked_on is None


def test_a_revocation_by_get_is_not_allowed(client, quinn, held):
    assert login(client, quinn).get(f"/competence/{held.pk}/revoke/").status_code == 405


@pytest.mark.parametrize(
    "data", [{"on": "", "reason": "x"}, {"on": "2026-01-01", "reason": ""}, {"on": "nonsense"}]
)
def test_an_incomplete_revocation_is_a_message_and_changes_nothing(client, quinn, held, data):
    response = login(client, quinn).post(f"/competence/{held.pk}/revoke/", data)

    assert response.status_code == 302
    assert texts(response) == ["Give the day from which it is revoked and the reason."]
    held.refresh_from_db()
    assert held.revoked_on is None


def test_a_revocation_before_the_start_is_refused_with_a_message(client, quinn, held):
    before = held.valid_from - dt.timedelta(days=1)
    response = login(client, quinn).post(
        f"/competence/{held.pk}/revoke/", {"on": before.isoformat(), "reason": "x"}
    )

    assert response.status_code == 302
    assert "it cannot be revoked before that day" in texts(response)[0]
    held.refresh_from_db()
    assert held.revoked_on is None


def test_revoking_a_missing_authorisation_is_404(client, quinn):
    response = login(client, quinn).post("/competence/999999/revoke/", {"on": "2026-01-01"})

    assert response.status_code == 404


def test_a_revoked_authorisation_moves_to_the_past(client, alice, quinn, held, today):
    login(client, quinn).post(
        f"/competence/{held.pk}/revoke/", {"on": today.isoformat(), "reason": "Left the lab"}
    )

    response = login(client, alice).get(f"/competence/people/{held.person_id}/")

    assert response.context["current"] == []
    assert response.context["past"] == [held]
    assert "Left the lab" in response.content.decode()


# --- Every persona, every page (the rows to add to tests/lims/test_access.py) --------------------

PERSONAS = ("alice", "bob", "rita", "quinn", "adam", "carol", "oscar")

# fmt: off
PAGES = [
    # url                                  alice bob  rita quinn adam carol oscar
    ("/competence/",                        (200, 200, 200, 200, 200, 403, 403)),
    ("/competence/?person={alice}&code=KL", (200, 200, 200, 200, 200, 403, 403)),
    ("/competence/people/{alice}/",         (200, 200, 200, 200, 200, 403, 403)),
    ("/competence/grant/",                  (403, 403, 403, 200, 403, 403, 403)),
    ("/competence/{held}/revoke/",          (405, 405, 405, 405, 405, 405, 405)),
    ("/history/authorisation/{held}/",      (200, 200, 200, 200, 200, 403, 403)),
]
# fmt: on


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_who_may_open_each_page(request, client, held, alice, url, expected):
    url = url.format(alice=alice.pk, held=held.pk)
    for persona, status in zip(PERSONAS, expected, strict=True):
        client.force_login(request.getfixturevalue(persona))
        assert (persona, client.get(url).status_code) == (persona, status)


@pytest.mark.parametrize(
    ("persona", "expected"), list(zip(PERSONAS, (403, 403, 403, 302, 403, 403, 403), strict=True))
)
def test_who_may_grant_and_revoke_by_post(request, client, held, alice, persona, expected):
    login(client, request.getfixturevalue(persona))

    granted = client.post("/competence/grant/", form_data(alice))
    revoked = client.post(f"/competence/{held.pk}/revoke/", {"on": held.valid_from, "reason": "x"})

    assert (granted.status_code, revoked.status_code) == (expected, expected)
    held.refresh_from_db()
    assert Authorisation.objects.filter(person=alice).exists() == (expected == 302)
    assert (held.revoked_on is not None) == (expected == 302)


@pytest.mark.parametrize("person", ["²", "١", "9" * 5000, "abc", "-1"])
def test_a_person_filter_that_is_not_a_small_number_is_ignored_not_a_server_error(
    client, quinn, held, person
):
    login(client, quinn)
    assert client.get("/competence/", {"person": person}).status_code == 200
    assert client.get("/competence/grant/", {"person": person}).status_code == 200
