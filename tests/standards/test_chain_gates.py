"""Every link of a standard's chain to the SI, checked on the measurement date, when a standard is
chosen (calibration_create) and again at approval (calibration_approve); a refusal saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Calibration, StandardUse, State, Transition
from standards.chain import chain_of
from standards.models import Provider, StandardStatus
from standards.services import (
    StandardNotUsable,
    standard_calibration_record,
    standard_check_usable,
    standard_register,
    standard_set_status,
)
from tests.conftest import PASSWORD, login, open_calibration

VALUES = [
    {"label": "100 g", "nominal": "100", "value": "100.000021", "expanded_uncertainty": "0.00005"},
    {"label": "200 g", "nominal": "200", "value": "199.999965", "expanded_uncertainty": "0.0001"},
]


def day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def backdate_last_status(standard, days: int) -> None:
    """Move the latest status change `days` into the past, as if it had been recorded then."""
    latest = standard.history.first()
    latest.history_date -= dt.timedelta(days=days)
    latest.save()


def open_with(standard, *, balance, procedure, alice, on):
    return cal.calibration_create(
        instrument=balance,
        procedure=procedure,
        by=alice,
        received_on=on,
        performed_on=on,
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[standard],
    )


def reviewed(calibration, *, alice, rita):
    flow.calibration_submit(calibration=calibration, by=alice)
    flow.calibration_review(calibration=calibration, by=rita, password=PASSWORD)
    return calibration


@pytest.fixture
def quatest(db):
    """An accredited calibration laboratory that is not an NMI."""
    return Provider.objects.create(
        name="Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng 1",
        short_name="Quatest 1",
        accreditation_body="BoA",
        accreditation_number="VILAS 001",
    )


@pytest.fixture
def weights_by(quinn, national_mass, today):
    """A weight set calibrated 100 days ago by the given provider, due in 265 days."""

    def make(provider, *, national=national_mass, asset="E2-09"):
        standard = standard_register(
            by=quinn, asset_number=asset, name="Bộ quả cân E2", quantity="mass", unit="g"
        )
        standard_calibration_record(
            standard=standard,
            provider=provider,
            national_standard=national,
            certificate_number=f"{provider.short_name}-0001",
            calibrated_on=today - dt.timedelta(days=100),
            due_on=today + dt.timedelta(days=265),
            by=quinn,
            values=VALUES,
        )
        return standard

    return make


def assert_nothing_saved():
    assert not Calibration.objects.exists()
    assert not StandardUse.objects.exists()
    assert not Calibration.history.exists()
    assert not StandardUse.history.exists()


# ---------------------------------------------------------------------------------------------
# At choosing: calibration_create


def test_an_overdue_standard_is_refused_at_choosing_and_nothing_is_saved(
    weights, balance, procedure, alice, today, monkeypatch
):
    on = today + dt.timedelta(days=266)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: on)  # the lab's today
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(weights, balance=balance, procedure=procedure, alice=alice, on=on)
    assert refusal.value.messages == [
        "Standard E2-01 Bộ quả cân E2 is overdue: its calibration V01.26.0001 was due on "
        f"{day(today + dt.timedelta(days=265))}."
    ]
    assert_nothing_saved()


def test_a_standard_is_still_usable_on_its_due_date(
    weights, balance, procedure, alice, today, monkeypatch
):
    on = today + dt.timedelta(days=265)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: on)  # the lab's today
    calibration = open_with(weights, balance=balance, procedure=procedure, alice=alice, on=on)
    assert calibration.standard_uses.get().standard_calibration.certificate_number == "V01.26.0001"


def test_a_standard_never_calibrated_is_refused_at_choosing(
    quinn, balance, procedure, alice, today
):
    never = standard_register(
        by=quinn, asset_number="NEW-1", name="Quả cân mới", quantity="mass", unit="g"
    )
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(never, balance=balance, procedure=procedure, alice=alice, on=today)
    assert refusal.value.messages == [
        f"Standard NEW-1 Quả cân mới had no calibration on {day(today)}."
    ]
    assert_nothing_saved()


def test_a_standard_quarantined_before_the_date_is_refused_at_choosing(
    weights, quinn, balance, procedure, alice, today
):
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Dropped"
    )
    backdate_last_status(weights, 10)
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(
            weights,
            balance=balance,
            procedure=procedure,
            alice=alice,
            on=today - dt.timedelta(days=5),
        )
    assert refusal.value.messages == [
        "Standard E2-01 Bộ quả cân E2 has been quarantined since "
        f"{day(today - dt.timedelta(days=10))}."
    ]
    assert_nothing_saved()


def test_a_standard_quarantined_today_was_still_usable_for_a_calibration_dated_before(
    weights, quinn, balance, procedure, alice, today
):
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Dropped"
    )
    yesterday = today - dt.timedelta(days=1)
    calibration = open_with(
        weights, balance=balance, procedure=procedure, alice=alice, on=yesterday
    )
    assert calibration.standard_uses.get().standard == weights
    with pytest.raises(StandardNotUsable, match=f"quarantined since {day(today)}"):
        open_with(weights, balance=balance, procedure=procedure, alice=alice, on=today)


def test_a_standard_back_in_service_is_usable_again_but_not_for_the_days_it_was_out(
    weights, quinn, balance, procedure, alice, today
):
    backdate_last_status(weights, 30)  # registered a month ago
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Dropped"
    )
    backdate_last_status(weights, 10)
    standard_set_status(
        standard=weights, status=StandardStatus.IN_SERVICE, by=quinn, reason="Rechecked: fine"
    )
    backdate_last_status(weights, 5)

    def usable(days):
        try:
            standard_check_usable(standard=weights, on=today - dt.timedelta(days=days))
        except StandardNotUsable:
            return False
        return True

    assert [usable(days) for days in (11, 10, 7, 6, 5, 0)] == [
        True,
        False,
        False,
        False,
        True,
        True,
    ]
    with pytest.raises(
        StandardNotUsable, match=f"quarantined since {day(today - dt.timedelta(days=10))}"
    ):
        open_with(
            weights,
            balance=balance,
            procedure=procedure,
            alice=alice,
            on=today - dt.timedelta(days=7),
        )


def test_a_retired_standard_is_refused_at_choosing(
    weights, quinn, balance, procedure, alice, today
):
    standard_set_status(standard=weights, status=StandardStatus.RETIRED, by=quinn, reason="Worn")
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(weights, balance=balance, procedure=procedure, alice=alice, on=today)
    assert refusal.value.messages == [
        f"Standard E2-01 Bộ quả cân E2 has been retired since {day(today)}."
    ]
    assert_nothing_saved()


def test_a_provider_neither_nmi_nor_accredited_gives_no_traceability(
    weights_by, balance, procedure, alice, today
):
    workshop = Provider.objects.create(name="Xưởng cơ khí Hà Đông", short_name="Hà Đông")
    standard = weights_by(workshop)
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(standard, balance=balance, procedure=procedure, alice=alice, on=today)
    assert refusal.value.messages == [
        "Provider Hà Đông has no accreditation on record, so its certificate Hà Đông-0001 "
        "gives no traceability."
    ]
    assert_nothing_saved()


def test_an_nmi_needs_no_accreditation(weights_by, balance, procedure, alice, today):
    nmi = Provider.objects.create(
        name="Physikalisch-Technische Bundesanstalt", short_name="PTB", is_nmi=True
    )
    standard = weights_by(nmi)
    assert standard_check_usable(standard=standard, on=today).provider == nmi


def test_an_accreditation_expired_before_the_date_is_refused(
    weights_by, quatest, balance, procedure, alice, today
):
    quatest.accreditation_valid_until = today - dt.timedelta(days=10)
    quatest.save()
    standard = weights_by(quatest)
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(
            standard,
            balance=balance,
            procedure=procedure,
            alice=alice,
            on=today - dt.timedelta(days=9),
        )
    assert refusal.value.messages == [
        "The accreditation VILAS 001 (BoA) of provider Quatest 1 expired on "
        f"{day(today - dt.timedelta(days=10))}."
    ]
    assert_nothing_saved()


def test_an_accreditation_valid_on_the_date_is_accepted_even_if_expired_since(
    weights_by, quatest, balance, procedure, alice, today
):
    quatest.accreditation_valid_until = today - dt.timedelta(days=10)
    quatest.save()
    standard = weights_by(quatest)
    on = today - dt.timedelta(days=10)
    calibration = open_with(standard, balance=balance, procedure=procedure, alice=alice, on=on)
    assert calibration.standard_uses.get().standard_calibration.provider == quatest


def test_a_certificate_naming_no_national_standard_is_refused(
    weights_by, vmi, balance, procedure, alice, today
):
    standard = weights_by(vmi, national=None)
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(standard, balance=balance, procedure=procedure, alice=alice, on=today)
    assert refusal.value.messages == [
        "Certificate VMI-0001 of standard E2-09 Bộ quả cân E2 names no national standard, "
        "so its chain to the SI is not known."
    ]
    assert_nothing_saved()


def test_every_refused_standard_is_named_and_none_is_kept(
    weights, weights_by, vmi, balance, procedure, alice, quinn, today
):
    unnamed = weights_by(vmi, national=None)
    standard_set_status(standard=weights, status=StandardStatus.RETIRED, by=quinn, reason="Worn")
    with pytest.raises(StandardNotUsable) as refusal:
        cal.calibration_create(
            instrument=balance,
            procedure=procedure,
            by=alice,
            received_on=today,
            performed_on=today,
            temperature=Decimal("23"),
            humidity=Decimal("50"),
            standards=[weights, unnamed],
        )
    assert len(refusal.value.messages) == 2
    assert "E2-01" in refusal.value.messages[0] and "retired" in refusal.value.messages[0]
    assert "E2-09" in refusal.value.messages[1] and "national" in refusal.value.messages[1]
    assert_nothing_saved()


def test_a_chosen_standard_records_its_certificate_in_force_and_the_whole_chain_holds(
    weights, balance, procedure, alice, today
):
    calibration = open_with(weights, balance=balance, procedure=procedure, alice=alice, on=today)
    use = calibration.standard_uses.get()
    chain = chain_of(weights, today, use.standard_calibration)
    assert chain.holds
    assert [link.kind for link in chain.links] == [
        "standard",
        "certificate",
        "provider",
        "national_standard",
        "si",
    ]


# ---------------------------------------------------------------------------------------------
# At approval: calibration_approve


def assert_not_approved(calibration):
    calibration.refresh_from_db()
    assert calibration.state == State.REVIEWED
    assert not Transition.objects.filter(calibration=calibration, to_state=State.APPROVED).exists()
    assert calibration.history.first().state == State.REVIEWED


def test_approval_is_refused_when_the_standard_was_quarantined_on_the_day(
    draft, weights, alice, rita, quinn, today
):
    reviewed(draft, alice=alice, rita=rita)
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Check failed"
    )
    with pytest.raises(StandardNotUsable) as refusal:
        flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    assert refusal.value.messages == [
        f"Standard E2-01 Bộ quả cân E2 has been quarantined since {day(today)}."
    ]
    assert_not_approved(draft)


def test_approval_is_refused_when_the_standard_was_retired_on_the_day(
    draft, weights, alice, rita, quinn, today
):
    reviewed(draft, alice=alice, rita=rita)
    standard_set_status(standard=weights, status=StandardStatus.RETIRED, by=quinn, reason="Worn")
    with pytest.raises(StandardNotUsable) as refusal:
        flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    assert refusal.value.messages == [
        f"Standard E2-01 Bộ quả cân E2 has been retired since {day(today)}."
    ]
    assert_not_approved(draft)


def test_approval_stands_for_a_calibration_dated_before_a_quarantine_of_today(
    balance, procedure, weights, alice, rita, quinn, today
):
    calibration = open_calibration(
        instrument=balance,
        procedure=procedure,
        standard=weights,
        technician=alice,
        on=today - dt.timedelta(days=1),
    )
    reviewed(calibration, alice=alice, rita=rita)
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Check failed"
    )
    assert (
        flow.calibration_approve(calibration=calibration, by=rita, password=PASSWORD).state
        == State.APPROVED
    )


def test_approval_is_refused_when_a_points_certificate_was_replaced_naming_the_replacement(
    draft, weights, vmi, national_mass, alice, rita, quinn, today
):
    reviewed(draft, alice=alice, rita=rita)
    old = weights.calibrations.get()
    standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.26.0001",
        calibrated_on=old.calibrated_on,
        due_on=old.due_on,
        by=quinn,
        values=[{**VALUES[0], "value": "100.000031"}, VALUES[1]],
        replaces=old,
        replacement_reason="VMI corrected the 100 g value",
    )
    with pytest.raises(StandardNotUsable) as refusal:
        flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    assert refusal.value.messages == [
        "Certificate VMI V01.26.0001 of standard E2-01 Bộ quả cân E2 has been replaced by "
        "VMI V01.26.0001 v2: VMI corrected the 100 g value"
    ]
    assert_not_approved(draft)


def test_approval_is_refused_when_the_providers_accreditation_ended_before_the_date(
    weights_by, quatest, balance, procedure, alice, rita, today
):
    standard = weights_by(quatest)
    calibration = open_calibration(
        instrument=balance, procedure=procedure, standard=standard, technician=alice, on=today
    )
    reviewed(calibration, alice=alice, rita=rita)
    # The accreditation body's decision arrives late: it lapsed yesterday.
    quatest.accreditation_valid_until = today - dt.timedelta(days=1)
    quatest.save()
    with pytest.raises(StandardNotUsable) as refusal:
        flow.calibration_approve(calibration=calibration, by=rita, password=PASSWORD)
    assert refusal.value.messages == [
        "The accreditation VILAS 001 (BoA) of provider Quatest 1 expired on "
        f"{day(today - dt.timedelta(days=1))}."
    ]
    assert_not_approved(calibration)


def test_approval_is_refused_when_the_provider_has_lost_its_accreditation(
    weights_by, quatest, balance, procedure, alice, rita, today
):
    standard = weights_by(quatest)
    calibration = open_calibration(
        instrument=balance, procedure=procedure, standard=standard, technician=alice, on=today
    )
    reviewed(calibration, alice=alice, rita=rita)
    quatest.accreditation_number = ""
    quatest.save()
    with pytest.raises(StandardNotUsable, match="Quatest 1 has no accreditation on record"):
        flow.calibration_approve(calibration=calibration, by=rita, password=PASSWORD)
    assert_not_approved(calibration)


def test_a_certificate_a_result_used_is_checked_on_the_results_date(weights, today):
    """At approval the chain runs through the recorded certificate: out of its dates, it breaks
    with "not in force" (overdue after its due date, uncalibrated before its calibration)."""
    used = weights.calibrations.get()
    after = chain_of(weights, today + dt.timedelta(days=266), used)
    before = chain_of(weights, today - dt.timedelta(days=101), used)
    assert [link.code for link in after.problems] == ["overdue"]
    assert [link.code for link in before.problems] == ["uncalibrated"]
    assert after.problems[0].problem == (
        "Certificate V01.26.0001 of standard E2-01 Bộ quả cân E2 was not in force on "
        f"{day(today + dt.timedelta(days=266))}: it covers "
        f"{day(today - dt.timedelta(days=100))} to {day(today + dt.timedelta(days=265))}."
    )


def test_a_certificate_without_national_standard_breaks_the_chain_at_approval_too(
    weights_by, vmi, today
):
    standard = weights_by(vmi, national=None)
    chain = chain_of(standard, today, standard.calibrations.get())
    assert not chain.holds
    assert [link.code for link in chain.problems] == ["national"]
    assert chain.links[-1].kind == "national_standard"


def test_the_reviewer_sees_why_approval_is_refused_on_the_page(
    client, draft, weights, alice, rita, quinn, today
):
    reviewed(draft, alice=alice, rita=rita)
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Check failed"
    )
    login(client, rita)
    page = client.post(f"/calibrations/{draft.pk}/approve/", follow=True)
    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert shown == [f"Standard E2-01 Bộ quả cân E2 has been quarantined since {day(today)}."]
    assert_not_approved(draft)
