"""What keeps a calibration's data whole: a stale page cannot delete what it did not show, signatures
name records by what cannot change, gates are checked again where the work moves on, and the
database refuses additions to an issued calibration."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Adjustment, MeasurementPoint, Phase, ScopeEntry, Signature, State
from calibration.procedures import procedure_approve, procedure_new_version
from calibration.results import scope_line
from competence.services import NotAuthorised, authorisation_revoke
from standards.services import standard_update
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def adjusted(draft, alice):
    cal.calibration_set_conditions(
        calibration=draft,
        by=alice,
        temperature=Decimal("23"),
        humidity=Decimal("55"),
        adjustment=Adjustment.ADJUSTED,
    )
    draft.refresh_from_db()
    return draft


def test_a_stale_grid_without_the_as_found_section_keeps_the_as_found_points(draft, alice):
    draft = adjusted(draft, alice)
    point = draft.points.get(position=1)
    cal.calibration_set_point(
        calibration=draft,
        position=1,
        reference=point.reference,
        readings=["100.0009", "100.0008"],
        phase=Phase.AS_FOUND,
        by=alice,
    )
    # the page loaded before the adjustment showed the as-left section only
    as_left = [
        cal.Row(p.range, Phase.AS_LEFT, p.reference, p.readings)
        for p in draft.points.filter(phase=Phase.AS_LEFT).order_by("position")
    ]
    cal.calibration_set_points(
        calibration=draft, rows=as_left[:1], by=alice, covered=[(point.range, Phase.AS_LEFT)]
    )
    assert draft.points.filter(phase=Phase.AS_FOUND).count() == 1
    assert draft.points.filter(phase=Phase.AS_LEFT).count() == 1  # the section shown was cut


def test_without_covered_sections_only_the_sections_with_rows_lose_their_extra_points(draft, alice):
    first = draft.points.get(position=1)
    cal.calibration_set_points(
        calibration=draft,
        rows=[cal.Row(first.range, Phase.AS_LEFT, first.reference, first.readings)],
        by=alice,
    )
    assert list(draft.points.values_list("position", flat=True)) == [1]


def test_unchanged_rows_write_no_history(draft, alice):
    rows = [
        cal.Row(p.range, p.phase, p.reference, p.readings)
        for p in draft.points.order_by("position")
    ]
    before = MeasurementPoint.history.count()
    cal.calibration_set_points(calibration=draft, rows=rows, by=alice)
    assert MeasurementPoint.history.count() == before


def test_renaming_a_range_or_a_standard_keeps_the_signatures(draft, alice, rita, quinn):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD)
    spec = draft.points.first().range
    cal.instrument_range_update(range=spec, by=alice, reason="Clearer name", name="0 – 220 g")
    weights = draft.standard_uses.get().standard
    standard_update(standard=weights, by=quinn, reason="New asset numbers", asset_number="E2-99")
    assert flow.signature_problems(draft, meanings=["reviewed"]) == []


def test_an_approved_calibration_whose_signatures_fail_can_be_returned(draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    with pytest.raises(ValidationError):  # signatures hold: an approved calibration stays
        flow.calibration_return(calibration=draft, by=rita, reason="Second thoughts")
    MeasurementPoint.objects.filter(calibration=draft, position=1).update(readings=["1", "2"])
    flow.calibration_return(calibration=draft, by=rita, reason="The data changed after signing")
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_every_range_and_phase_needs_a_point_before_submission(draft, alice, procedure):
    cal.instrument_range_add(
        instrument=draft.instrument, procedure=procedure, by=alice, name="0 – 6 kg"
    )
    with pytest.raises(ValidationError, match="0 – 6 kg · As left has no point"):
        flow.calibration_submit(calibration=draft, by=alice)


def test_a_calibration_cannot_be_dated_in_the_future(balance, procedure, weights, alice, today):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        cal.calibration_create(
            instrument=balance,
            procedure=procedure,
            by=alice,
            received_on=today,
            performed_on=today + dt.timedelta(days=1),
            temperature=Decimal("23"),
            humidity=Decimal("50"),
            standards=[weights],
        )


def test_a_revocation_reaching_back_to_the_calibration_date_stops_the_submission(
    draft, alice, quinn, today
):
    perform = alice.authorisations.get(activity="perform")
    authorisation_revoke(
        authorisation=perform, on=today, reason="Supervised work found wanting", by=quinn
    )
    with pytest.raises(NotAuthorised, match="revoked on"):
        flow.calibration_submit(calibration=draft, by=alice)


def test_a_version_cannot_be_approved_to_take_effect_later(procedure, quinn, today):
    v2 = procedure_new_version(procedure=procedure, by=quinn, change_note="More points")
    with pytest.raises(ValidationError, match="approve it on the day it takes effect"):
        procedure_approve(procedure=v2, by=quinn, effective_on=today + dt.timedelta(days=30))
    procedure.refresh_from_db()
    assert procedure.status == "approved"


def test_the_model_must_use_the_readings_and_the_reference(procedure, quinn):
    from calibration.procedures import procedure_update

    v2 = procedure_new_version(procedure=procedure, by=quinn, change_note="Model")
    with pytest.raises(ValidationError, match="must use x_ref"):
        procedure_update(procedure=v2, by=quinn, reason="typo", model="r + d_r")


@pytest.mark.parametrize(
    ("value", "covered_by"), [("-20", "low"), ("20", "high"), ("0", "low"), ("151", None)]
)
def test_a_scope_line_covers_signed_values(value, covered_by):
    lines = {
        "low": ScopeEntry(procedure_code="T", unit="°C", minimum=-40, maximum=0, cmc_abs=1),
        "high": ScopeEntry(procedure_code="T", unit="°C", minimum=0.001, maximum=150, cmc_abs=1),
    }
    found = scope_line(lines.values(), procedure_code="T", unit="°C", value=Decimal(value))
    assert found is (lines[covered_by] if covered_by else None)


def test_nothing_can_be_added_to_an_issued_calibration(issued, rita):
    calibration = issued.calibration
    point = calibration.points.first()
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        MeasurementPoint.objects.create(
            calibration=calibration,
            range=point.range,
            position=9,
            reference=point.reference,
            readings=["1", "2"],
        )
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        Signature.objects.create(
            calibration=calibration,
            meaning="approved",
            signer=rita,
            signed_at=issued.issued_at,
            digest="0" * 64,
            content={},
        )
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        calibration.signatures.all().delete()
    assert calibration.signatures.count() == 2


def test_a_budget_component_the_model_does_not_use_is_refused(procedure, quinn):
    from calibration.procedures import procedure_update

    v2 = procedure_new_version(procedure=procedure, by=quinn, change_note="Drift")
    budget = [
        *v2.budget,
        {"name": "d_drift", "source": "drift", "dist": "rectangular", "value": "0.01"},
    ]
    with pytest.raises(ValidationError, match="must use d_drift"):
        procedure_update(procedure=v2, by=quinn, reason="Drift", budget=budget)


@pytest.mark.parametrize("typed", ["0E-999999999", "0E+999999", "0.0000000000000000000000000001"])
def test_a_zero_with_an_absurd_exponent_is_refused(typed):
    with pytest.raises(ValidationError):
        cal.parse_reading(typed)
