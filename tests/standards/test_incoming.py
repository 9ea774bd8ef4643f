"""Incoming certificates: frozen in the database once recorded, corrected only by a replacement
that keeps the old one; the values of a set go to its pieces."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from standards.models import Conformity, StandardCalibration, StandardValue
from standards.services import standard_calibration_record, standard_register

VALUES = [
    {"label": "100 g", "nominal": "100", "value": "100.000021", "expanded_uncertainty": "0.00005"},
    {"label": "200 g", "nominal": "200", "value": "199.999965", "expanded_uncertainty": "0.0001"},
]


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError as error:
        assert isinstance(error, IntegrityError)
        assert "frozen" in str(error)
        return True
    return False


def raw(sql, params):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


@pytest.fixture
def incoming(weights):
    return weights.calibrations.get()


# ---------------------------------------------------------------------------------------------
# Frozen in the database


@pytest.mark.parametrize(
    "change",
    [
        lambda c: StandardCalibration.objects.filter(pk=c.pk).update(
            due_on=c.due_on.replace(year=2099)
        ),
        lambda c: StandardCalibration.objects.filter(pk=c.pk).update(certificate_number="X"),
        lambda c: StandardCalibration.objects.filter(pk=c.pk).delete(),
        lambda c: StandardValue.objects.filter(calibration=c).update(value="100.1"),
        lambda c: StandardValue.objects.filter(calibration=c).delete(),
    ],
    ids=[
        "calibration-update-due",
        "calibration-update-number",
        "calibration-delete",
        "values-update",
        "values-delete",
    ],
)
def test_an_incoming_certificate_cannot_change_through_the_orm(incoming, change):
    assert refused(lambda: change(incoming))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE standards_standardcalibration SET due_on = '2099-01-01' WHERE id = %s",
        "DELETE FROM standards_standardcalibration WHERE id = %s",
        "UPDATE standards_standardvalue SET value = 100.1 WHERE calibration_id = %s",
        "DELETE FROM standards_standardvalue WHERE calibration_id = %s",
    ],
    ids=["calibration-update", "calibration-delete", "values-update", "values-delete"],
)
def test_an_incoming_certificate_cannot_change_through_raw_sql(incoming, statement):
    assert refused(raw(statement, [incoming.pk]))


def test_saving_a_loaded_certificate_again_is_refused_and_nothing_changes(incoming):
    due = incoming.due_on
    incoming.due_on = due + dt.timedelta(days=365)
    assert refused(incoming.save)
    value = incoming.values.get(label="100 g")
    value.value = "100.5"
    assert refused(value.save)
    incoming.refresh_from_db()
    assert incoming.due_on == due
    assert incoming.values.get(label="100 g").value == Decimal("100.000021")


# ---------------------------------------------------------------------------------------------
# Replacement


def replace(
    old, *, by, number=None, reason="VMI reissued the certificate: 100 g corrected", **more
):
    return standard_calibration_record(
        standard=old.standard,
        provider=old.provider,
        national_standard=old.national_standard,
        certificate_number=number or old.certificate_number,
        calibrated_on=old.calibrated_on,
        due_on=old.due_on,
        by=by,
        values=[{**VALUES[0], "value": "100.000031"}, VALUES[1]],
        replaces=old,
        replacement_reason=reason,
        **more,
    )


def test_a_replacement_keeps_the_old_row_and_takes_over(incoming, weights, quinn, today):
    new = replace(incoming, by=quinn)
    assert (new.version, new.replaces, new.certificate_number) == (2, incoming, "V01.26.0001")
    assert str(new) == "VMI V01.26.0001 v2"
    old = StandardCalibration.objects.get(pk=incoming.pk)
    assert not old.is_current and old.replaced_by == new
    assert old.values.get(label="100 g").value == Decimal("100.000021")
    assert new.values.get(label="100 g").value == Decimal("100.000031")
    assert weights.calibration_on(today) == new
    assert weights.calibrations.count() == 2
    assert (
        new.history.get().history_change_reason == "VMI reissued the certificate: 100 g corrected"
    )
    assert new.history.get().history_user == quinn


def test_a_replacement_under_a_new_number_starts_at_version_1(incoming, weights, quinn, today):
    new = replace(incoming, by=quinn, number="V01.26.0001-R")
    assert new.version == 1
    assert weights.calibration_on(today) == new


def test_a_replacement_without_a_reason_is_refused(incoming, weights, quinn):
    with pytest.raises(ValidationError, match="Give the reason for the replacement"):
        replace(incoming, by=quinn, reason="  ")
    assert weights.calibrations.count() == 1
    assert StandardCalibration.objects.get(pk=incoming.pk).is_current


def test_a_certificate_is_replaced_only_once(incoming, weights, quinn):
    replace(incoming, by=quinn)
    for old in (incoming, StandardCalibration.objects.get(pk=incoming.pk)):
        with pytest.raises(ValidationError, match="has already been replaced"):
            replace(old, by=quinn, reason="Again")
    assert weights.calibrations.count() == 2


def test_a_replacement_of_the_replacement_is_version_3(incoming, quinn):
    second = replace(incoming, by=quinn)
    third = replace(second, by=quinn, reason="The date was wrong too")
    assert third.version == 3
    assert third.standard.calibration_on(third.calibrated_on) == third


def test_a_certificate_cannot_replace_one_of_another_standard(incoming, quinn, vmi):
    other = standard_register(
        by=quinn, asset_number="E2-99", name="Khác", quantity="mass", unit="g"
    )
    with pytest.raises(ValidationError, match="same standard"):
        standard_calibration_record(
            standard=other,
            provider=vmi,
            certificate_number="V01.26.0001",
            calibrated_on=incoming.calibrated_on,
            by=quinn,
            values=VALUES,
            replaces=incoming,
            replacement_reason="Wrong standard",
        )
    assert not other.calibrations.exists()


# ---------------------------------------------------------------------------------------------
# All or nothing


def test_a_certificate_without_values_is_refused_and_not_kept(weights, vmi, quinn, today):
    with pytest.raises(ValidationError, match="at least one value"):
        standard_calibration_record(
            standard=weights,
            provider=vmi,
            certificate_number="V01.26.0002",
            calibrated_on=today,
            by=quinn,
            values=[],
        )
    assert weights.calibrations.count() == 1
    assert not StandardCalibration.history.filter(certificate_number="V01.26.0002").exists()


def test_a_label_given_twice_is_refused_and_nothing_is_kept(weights, vmi, quinn, today):
    with pytest.raises(ValidationError, match="given twice"):
        standard_calibration_record(
            standard=weights,
            provider=vmi,
            certificate_number="V01.26.0002",
            calibrated_on=today,
            by=quinn,
            values=[VALUES[0], VALUES[0]],
        )
    assert weights.calibrations.count() == 1
    assert StandardValue.objects.count() == 2


def test_a_value_without_uncertainty_is_refused_and_nothing_is_kept(weights, vmi, quinn, today):
    with pytest.raises(ValidationError, match="must be greater than zero"):
        standard_calibration_record(
            standard=weights,
            provider=vmi,
            certificate_number="V01.26.0002",
            calibrated_on=today,
            by=quinn,
            values=[VALUES[0], {**VALUES[1], "expanded_uncertainty": "0"}],
        )
    assert weights.calibrations.count() == 1


def test_a_value_in_another_unit_is_refused(weights, vmi, quinn, today):
    with pytest.raises(ValidationError, match="is in mg, but standard E2-01"):
        standard_calibration_record(
            standard=weights,
            provider=vmi,
            certificate_number="V01.26.0002",
            calibrated_on=today,
            by=quinn,
            values=[{**VALUES[0], "unit": "mg"}],
        )


# ---------------------------------------------------------------------------------------------
# Sets


@pytest.fixture
def weight_set(quinn):
    return standard_register(
        by=quinn,
        asset_number="E2-20",
        name="Bộ quả cân E2 100 g – 200 g",
        quantity="mass",
        unit="g",
        pieces=[
            {"label": "100 g", "nominal": "100", "marking": "•", "tolerance": "0.00005"},
            {"label": "200 g", "nominal": "200", "tolerance": "0.0001"},
        ],
    )


def test_a_set_refuses_a_value_whose_label_names_no_piece(weight_set, vmi, quinn, today):
    with pytest.raises(ValidationError) as refusal:
        standard_calibration_record(
            standard=weight_set,
            provider=vmi,
            certificate_number="V01.26.0300",
            calibrated_on=today,
            by=quinn,
            values=[VALUES[0], {**VALUES[1], "label": "200 g*"}],
        )
    assert refusal.value.messages == [
        "Value 2 (200 g*): the set E2-20 Bộ quả cân E2 100 g – 200 g has no piece labelled “200 g*”."
    ]
    assert not weight_set.calibrations.exists()
    assert not StandardValue.objects.filter(
        label="100 g", calibration__standard=weight_set
    ).exists()


def test_the_values_of_a_set_link_to_their_pieces_and_take_their_tolerance(
    weight_set, vmi, quinn, today
):
    incoming = standard_calibration_record(
        standard=weight_set,
        provider=vmi,
        certificate_number="V01.26.0300",
        calibrated_on=today,
        by=quinn,
        values=[VALUES[0], {**VALUES[1], "value": "199.999850"}],
    )
    pieces = {p.label: p for p in weight_set.pieces.all()}
    values = {v.label: v for v in incoming.values.all()}
    assert values["100 g"].piece == pieces["100 g"]
    assert values["200 g"].piece == pieces["200 g"]
    assert values["100 g"].tolerance == pieces["100 g"].tolerance
    # |100 − 100.000021| = 0.021 mg ≤ 0.05 mg; |200 − 199.999850| = 0.15 mg > 0.1 mg
    assert values["100 g"].conformity == Conformity.CONFORMS
    assert values["200 g"].conformity == Conformity.DOES_NOT_CONFORM
    # a piece found out of tolerance opens a look-back naming it
    finding = weight_set.findings.get()
    assert finding.incoming == incoming and "(200 g)" in finding.description
