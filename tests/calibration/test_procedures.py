"""Procedures under document control (clauses 7.2, 8.3): versions, approval, and their budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from calibration.budget import check_budget
from calibration.models import Procedure, ProcedureStatus, default_budget
from calibration.procedures import (
    ProcedureNotUsable,
    procedure_approve,
    procedure_check_usable,
    procedure_create,
    procedure_new_version,
    procedure_update,
    procedure_withdraw,
    procedures_in_use,
)

pytestmark = pytest.mark.django_db

CODE = "QTHC-AS-02"
DAY = dt.date(2026, 3, 1)


def content(**overrides):
    return {
        "title_vi": "Áp kế kiểu lò xo",
        "title_en": "Bourdon tube pressure gauges",
        "quantity": "pressure",
        "unit": "bar",
        "points": ["0", "2.5", "5", "10"],
        "readings_per_point": 3,
        "tolerance_rel": Decimal("1.6"),
        "temperature_min": Decimal("18"),
        "temperature_max": Decimal("28"),
        **overrides,
    }


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def gauge_draft(rita):
    return procedure_create(by=rita, code=CODE, **content())


# --- The life of a procedure -------------------------------------------------------------------


def test_a_draft_is_changed_approved_then_replaced_by_a_new_version(rita, quinn, gauge_draft):
    changed = procedure_update(
        procedure=gauge_draft,
        by=rita,
        reason="Add the hysteresis of the gauge",
        budget=default_budget()
        + [{"name": "d_h", "source": "other", "dist": "rectangular", "value": "0.05"}],
        model="r + d_r - x_ref - d_h",
    )
    v1 = procedure_approve(procedure=changed, by=quinn, effective_on=DAY)

    v2 = procedure_new_version(procedure=v1, by=rita, change_note="Points up to 16 bar")
    procedure_update(procedure=v2, by=rita, reason="Wider range", points=["0", "8", "16"])
    procedure_approve(procedure=v2, by=quinn, effective_on=DAY + dt.timedelta(days=30))

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.version, v1.status) == (1, ProcedureStatus.WITHDRAWN)
    assert (v2.version, v2.status) == (2, ProcedureStatus.APPROVED)
    assert v2.approved_by == quinn and v2.approved_at is not None
    assert v2.model == "r + d_r - x_ref - d_h"  # copied from v1
    assert v2.points == ["0", "8", "16"]
    assert v2.change_note == "Points up to 16 bar"
    assert list(procedures_in_use()) == [v2]
    reasons = [h.history_change_reason for h in v1.history.order_by("history_date")]
    assert reasons[-1] == "Replaced by version 2"


def test_a_new_draft_starts_as_version_1(gauge_draft, rita):
    assert (gauge_draft.version, gauge_draft.status) == (1, ProcedureStatus.DRAFT)
    assert gauge_draft.history.get().history_user == rita


def test_a_code_that_exists_is_refused_as_a_new_procedure(gauge_draft, rita):
    with pytest.raises(ValidationError) as excinfo:
        procedure_create(by=rita, code=CODE, **content())
    assert "exists already" in messages_of(excinfo)


def test_an_approved_version_cannot_be_edited(procedure, rita):
    with pytest.raises(ValidationError) as excinfo:
        procedure_update(procedure=procedure, by=rita, reason="typo", title_en="Balances")
    assert "cannot change: write a new version" in messages_of(excinfo)
    procedure.refresh_from_db()
    assert procedure.title_en == "Analytical balances"


def test_a_change_needs_a_reason(gauge_draft, rita):
    with pytest.raises(ValidationError, match="Say why"):
        procedure_update(procedure=gauge_draft, by=rita, reason="  ", title_en="Gauges")


def test_status_and_approval_cannot_be_set_as_content(gauge_draft, rita):
    with pytest.raises(ValidationError) as excinfo:
        procedure_update(procedure=gauge_draft, by=rita, reason="sneak", status="approved")
    assert "status" in messages_of(excinfo)


def test_a_new_version_is_refused_while_a_draft_is_open(gauge_draft, procedure, rita, quinn):
    with pytest.raises(ValidationError, match="still a draft"):
        procedure_new_version(procedure=gauge_draft, by=rita, change_note="again")
    draft = procedure_new_version(procedure=procedure, by=rita, change_note="New balance class")
    with pytest.raises(ValidationError, match="still a draft"):
        procedure_new_version(procedure=procedure, by=rita, change_note="another")
    assert draft.version == 2


def test_a_new_version_needs_a_change_note(procedure, rita):
    with pytest.raises(ValidationError, match="Say what the new version changes"):
        procedure_new_version(procedure=procedure, by=rita, change_note=" ")


def test_only_a_draft_can_be_approved_and_only_an_approved_one_withdrawn(
    procedure, gauge_draft, quinn
):
    with pytest.raises(ValidationError, match="Only a draft"):
        procedure_approve(procedure=procedure, by=quinn, effective_on=DAY)
    with pytest.raises(ValidationError, match="Only an approved version"):
        procedure_withdraw(procedure=gauge_draft, by=quinn, reason="no")


def test_a_withdrawal_needs_a_reason_and_is_kept(procedure, quinn):
    with pytest.raises(ValidationError, match="Say why"):
        procedure_withdraw(procedure=procedure, by=quinn, reason="")
    procedure_withdraw(procedure=procedure, by=quinn, reason="Method replaced by OIML R 76")
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.WITHDRAWN
    assert procedure.history.first().history_change_reason == "Method replaced by OIML R 76"


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "adam", "carol"])
def test_only_reviewers_and_the_quality_manager_write_procedures(request, persona):
    with pytest.raises(PermissionDenied):
        procedure_create(by=request.getfixturevalue(persona), code=CODE, **content())
    assert not Procedure.objects.filter(code=CODE).exists()


@pytest.mark.parametrize("persona", ["alice", "rita", "adam", "carol"])
def test_only_the_quality_manager_approves_and_withdraws(request, gauge_draft, procedure, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        procedure_approve(procedure=gauge_draft, by=user, effective_on=DAY)
    with pytest.raises(PermissionDenied):
        procedure_withdraw(procedure=procedure, by=user, reason="no")
    gauge_draft.refresh_from_db()
    assert gauge_draft.status == ProcedureStatus.DRAFT


def test_the_quality_manager_also_drafts(quinn):
    assert procedure_create(by=quinn, code=CODE, **content()).status == ProcedureStatus.DRAFT


# --- Usable on a day --------------------------------------------------------------------------


def test_an_approved_version_in_effect_is_usable(procedure):
    procedure_check_usable(procedure, DAY)


def test_a_draft_is_not_usable(gauge_draft):
    with pytest.raises(ProcedureNotUsable, match="is draft: only an approved version"):
        procedure_check_usable(gauge_draft, DAY)


def test_a_withdrawn_version_is_usable_only_for_work_dated_before_its_withdrawal(
    procedure, quinn, today
):
    procedure_withdraw(procedure=procedure, by=quinn, reason="replaced")
    procedure.refresh_from_db()
    assert procedure.withdrawn_on == today
    procedure_check_usable(procedure, today - dt.timedelta(days=1))
    with pytest.raises(ProcedureNotUsable, match="no longer in effect on that day"):
        procedure_check_usable(procedure, today)


def test_a_version_not_yet_in_effect_is_not_usable(gauge_draft, quinn):
    approved = procedure_approve(procedure=gauge_draft, by=quinn, effective_on=DAY)
    with pytest.raises(ProcedureNotUsable, match="takes effect on 01/03/2026"):
        procedure_check_usable(approved, DAY - dt.timedelta(days=1))
    procedure_check_usable(approved, DAY)


# --- The budget and the model -----------------------------------------------------------------


def test_the_default_budget_and_model_are_usable():
    check_budget("r + d_r - x_ref", default_budget())


@pytest.mark.parametrize(
    ("model", "budget", "message"),
    [
        ("r + d_r - x_ref - zz", default_budget(), "the model uses 'zz', which is not an input"),
        ("r +* x_ref", default_budget(), "cannot read the model"),
        ("__import__('os')", default_budget(), "is not a function a model may use"),
        (
            "r - x_ref",
            [{"name": "r", "source": "readings"}],
            "exactly one component from certificate (it has 0)",
        ),
        (
            "r - x_ref",
            [
                {"name": "r", "source": "readings"},
                {"name": "r", "source": "certificate"},
            ],
            "the name r is used twice",
        ),
        (
            "r - x_ref",
            default_budget() + [{"name": "t", "source": "magic"}],
            "Budget t: unknown source",
        ),
        (
            "r - x_ref + t",
            default_budget() + [{"name": "t", "source": "temperature", "value": "0.1"}],
            "Budget t: choose a distribution",
        ),
        (
            "r - x_ref + t",
            default_budget()
            + [{"name": "t", "source": "temperature", "dist": "normal", "value": "-1"}],
            "Budget t: the value must be a number of at least zero",
        ),
        (
            "r - x_ref + t",
            default_budget()
            + [{"name": "t", "source": "temperature", "dist": "normal", "value": "abc"}],
            "Budget t: the value must be a number of at least zero",
        ),
        (
            "r - x_ref",
            default_budget() + [{"name": "2x", "source": "resolution"}],
            "must be a single word",
        ),
        ("r", "not a list", "must be a list of components"),
    ],
)
def test_a_budget_the_engine_cannot_use_is_refused_naming_why(model, budget, message):
    with pytest.raises(ValidationError) as excinfo:
        check_budget(model, budget)
    assert message in messages_of(excinfo)


def test_a_draft_with_an_unknown_name_in_its_model_is_refused(rita):
    with pytest.raises(ValidationError, match="'zz', which is not an input"):
        procedure_create(by=rita, code=CODE, **content(model="r + d_r - x_ref + zz"))
    assert not Procedure.objects.filter(code=CODE).exists()


def test_environment_limits_upside_down_are_refused(gauge_draft, rita):
    with pytest.raises(ValidationError, match="lowest temperature cannot be above the highest"):
        procedure_update(
            procedure=gauge_draft,
            by=rita,
            reason="limits",
            temperature_min=Decimal("30"),
            temperature_max=Decimal("20"),
        )


def test_approval_rechecks_the_budget(rita, quinn):
    draft = Procedure.objects.create(
        code="QTHC-BAD",
        title_vi="x",
        title_en="x",
        quantity="mass",
        unit="g",
        model="r - nothing",
    )
    with pytest.raises(ValidationError, match="not an input"):
        procedure_approve(procedure=draft, by=quinn, effective_on=DAY)
    draft.refresh_from_db()
    assert draft.status == ProcedureStatus.DRAFT
