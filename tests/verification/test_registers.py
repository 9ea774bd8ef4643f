"""The registers behind legal verification: the Group-2 list versions, verifier cards, marks."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.conftest import login
from verification.cards import VerifierRefused, card_record, card_revoke, check_verifier
from verification.marks import MarkRefused, batch_receive, carrier_of, mark_use, mark_write_off
from verification.models import (
    InstrumentType,
    ListStatus,
    Mark,
    MarkKind,
    MarkState,
    TypeList,
    Verification,
)
from verification.typelists import (
    BUNDLED,
    in_force,
    typelist_csv,
    typelist_import,
    typelist_put_in_force,
)

HEADER = "code,number,name_vi,name_en,controls,interval_months,recommendation\n"


# --- The list of Group-2 instrument types ------------------------------------------------------


def test_the_bundled_list_loads_in_force_with_its_scales_and_meters(quinn):
    out = StringIO()
    call_command("load_group2_list", by=quinn.username, stdout=out)
    current = in_force()
    assert current.status == ListStatus.IN_FORCE and current.effective_on == dt.date(2024, 10, 15)
    spring = current.types.get(code="can-dong-ho-lo-xo")
    assert (spring.number, spring.interval_months, spring.recommendation) == ("8.1", 24, "oiml_r76")
    assert current.types.get(code="taximet").interval_months == 18
    assert current.types.get(code="cot-do-xang-dau").recommendation == "oiml_r117"
    assert current.types.get(code="dong-ho-nuoc-co-khi").interval_months == 60
    # every row of the bundled file names where it was read
    assert all(row.count(",http") == 1 for row in BUNDLED.read_text().splitlines()[1:])
    call_command("load_group2_list", by=quinn.username, stdout=out)  # the lab's list stays
    assert TypeList.objects.count() == 1


def test_a_new_version_supersedes_the_one_in_force_and_verifications_keep_theirs(quinn, today):
    first = typelist_import(
        title="2019",
        legal_basis="TT 07/2019",
        effective_on=dt.date(2019, 7, 1),
        data=HEADER + "can-ban,8.2,Cân bàn,Platform scale,KĐBĐ,12,oiml_r76\n",
        by=quinn,
    )
    typelist_put_in_force(type_list=first, by=quinn)
    exported = typelist_csv(first).replace(",12,", ",24,")
    second = typelist_import(
        title="2024", legal_basis="TT 03/2024", effective_on=today, data=exported, by=quinn
    )
    assert second.status == ListStatus.DRAFT and in_force() == first
    typelist_put_in_force(type_list=second, by=quinn, reason="TT 03/2024 in force")
    first.refresh_from_db()
    assert first.status == ListStatus.SUPERSEDED and in_force() == second
    assert second.types.get().interval_months == 24 and first.types.get().interval_months == 12
    reason = first.history.first().history_change_reason
    assert reason == f"Superseded by 2024 ({today:%d/%m/%Y})"
    with pytest.raises(ValidationError, match="Only a draft"):
        typelist_put_in_force(type_list=first, by=quinn)


@pytest.mark.parametrize(
    "data, message",
    [
        ("name,number\nCân,1\n", "missing: code"),
        (HEADER + ",1,,,,12,oiml_r76\n", "Line 2: the Vietnamese name is empty"),
        (HEADER + "a,1,Cân,,,12.5,oiml_r76\n", "not a whole number of months"),
        (HEADER + "a,1,Cân,,,0,oiml_r76\n", "not a whole number of months"),
        (HEADER + "a,1,Cân,,,12,oiml_r999\n", "are not one of"),
        (
            HEADER + "a,1,Cân,,,12,oiml_r76\na,2,Cân 2,,,12,oiml_r76\n",
            "Line 3: the code a appears twice",
        ),
        (HEADER, "lists no instrument type"),
        ("\xff\xfe".encode("latin-1") + b"code", "not UTF-8"),
    ],
)
def test_a_bad_file_is_refused_line_by_line_and_saves_nothing(quinn, data, message):
    with pytest.raises(ValidationError) as refusal:
        typelist_import(
            title="x", legal_basis="y", effective_on=dt.date(2024, 1, 1), data=data, by=quinn
        )
    assert any(message in m for m in refusal.value.messages), refusal.value.messages
    assert not TypeList.objects.exists() and not InstrumentType.objects.exists()


def test_a_list_taking_effect_later_waits_for_its_day(quinn, today):
    later = typelist_import(
        title="next",
        legal_basis="TT",
        effective_on=today + dt.timedelta(days=1),
        data=HEADER + "a,1,Cân,,,12,oiml_r76\n",
        by=quinn,
    )
    with pytest.raises(ValidationError, match="takes effect on"):
        typelist_put_in_force(type_list=later, by=quinn)


def test_only_the_quality_manager_edits_the_list(rita):
    with pytest.raises(PermissionDenied):
        typelist_import(
            title="x", legal_basis="y", effective_on=dt.date(2024, 1, 1), data=HEADER, by=rita
        )


def test_the_import_page_shows_every_bad_line(client, quinn):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "list.csv", (HEADER + ",1,,,,x,oiml_r76\n").encode(), content_type="text/csv"
    )
    response = login(client, quinn).post(
        "/verification/types/import/",
        {"title": "x", "legal_basis": "y", "effective_on": "2024-10-15", "file": upload},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Line 2: the Vietnamese name is empty" in text and "“x” is not a whole number" in text


# --- Verifier cards ----------------------------------------------------------------------------


def test_a_verifier_needs_a_card_in_force_for_the_type_on_the_day(verifier, bob, scale_type, quinn):
    today = timezone.localdate()
    assert check_verifier(verifier, scale_type.code, today).card_number == "KĐV-0123"
    with pytest.raises(VerifierRefused, match="no verifier card for this type is recorded"):
        check_verifier(bob, scale_type.code, today, "Cân bàn")
    card_record(
        person=bob,
        card_number="KĐV-0200",
        type_code=scale_type.code,
        issued_by="Tổng cục TCĐLCL",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2022, 12, 31),
        by=quinn,
    )
    with pytest.raises(VerifierRefused) as refusal:
        check_verifier(bob, scale_type.code, today, "Cân bàn")
    assert "Trần Bob may not verify Cân bàn on" in refusal.value.messages[0]
    assert "card KĐV-0200 expired on 31/12/2022" in refusal.value.messages[0]
    assert check_verifier(bob, scale_type.code, dt.date(2022, 12, 31))  # the last day counts


def test_a_revoked_card_holds_until_its_revocation(verifier, scale_type, quinn):
    card = verifier.verifier_cards.get(type_code=scale_type.code)
    today = timezone.localdate()
    card_revoke(card=card, on=today, by=quinn, reason="Sai phạm quy trình")
    assert check_verifier(verifier, scale_type.code, today - dt.timedelta(days=1))
    with pytest.raises(VerifierRefused, match="was revoked on .* \\(Sai phạm quy trình\\)"):
        check_verifier(verifier, scale_type.code, today)
    with pytest.raises(ValidationError, match="already revoked"):
        card_revoke(card=card, on=today, by=quinn, reason="again")


def test_a_card_is_recorded_by_the_quality_manager_for_staff_only(carol, quinn, rita, scale_type):
    fields = {
        "card_number": "X",
        "type_code": scale_type.code,
        "issued_by": "TCĐLCL",
        "valid_from": dt.date(2024, 1, 1),
        "valid_until": dt.date(2026, 1, 1),
    }
    with pytest.raises(PermissionDenied):
        card_record(person=rita, by=rita, **fields)
    with pytest.raises(ValidationError, match="staff"):
        card_record(person=carol, by=quinn, **fields)
    with pytest.raises(ValidationError, match="expire before it starts"):
        card_record(person=rita, by=quinn, **{**fields, "valid_until": dt.date(2023, 1, 1)})


# --- Marks --------------------------------------------------------------------------------------


def a_verification(type_, verifier, **extra):
    return Verification.objects.create(
        owner="Bà Lan",
        stall="Sạp 12",
        province="Gia Lai",
        instrument_type=type_,
        serial_number=extra.pop("serial", "S-1"),
        verified_on=timezone.localdate(),
        verifier=verifier,
        **extra,
    )


def test_a_mark_goes_on_one_instrument_and_the_log_says_which(marks, verifier, scale_type, quinn):
    first = a_verification(scale_type, verifier, serial="S-1")
    second = a_verification(scale_type, verifier, serial="S-2")
    with transaction.atomic():
        assert mark_use(verification=first, by=verifier).serial == "A0000001"  # lowest in stock
        assert mark_use(verification=second, by=verifier, serial="a0000042").serial == "A0000042"
    with pytest.raises(MarkRefused, match="already on another instrument"), transaction.atomic():
        mark_use(verification=first, by=verifier, serial="A0000042")
    with pytest.raises(MarkRefused, match="not in the lab's stock"), transaction.atomic():
        mark_use(verification=first, by=verifier, serial="B0000001")
    found = carrier_of("A0000042")
    assert found.verification == second and found.state == MarkState.USED
    assert found.history.first().history_user == verifier


def test_spoiled_and_lost_marks_are_recorded_with_the_reason(marks, verifier, scale_type, quinn):
    with pytest.raises(ValidationError, match="Say why"):
        mark_write_off(serial="A0000003", state=MarkState.SPOILED, by=quinn, reason=" ")
    mark_write_off(serial="A0000003", state=MarkState.SPOILED, by=quinn, reason="Rách khi dán")
    with pytest.raises(MarkRefused, match="recorded spoiled: Rách khi dán"), transaction.atomic():
        mark_use(verification=a_verification(scale_type, verifier), by=verifier, serial="A0000003")
    with pytest.raises(MarkRefused, match="recorded spoiled"):
        mark_write_off(serial="A0000003", state=MarkState.LOST, by=quinn, reason="again")
    on_scale = a_verification(scale_type, verifier, serial="S-9")
    with transaction.atomic():
        mark_use(verification=on_scale, by=verifier, serial="A0000009")
    with pytest.raises(MarkRefused, match="can only be recorded lost"):
        mark_write_off(serial="A0000009", state=MarkState.SPOILED, by=quinn, reason="Rách")
    lost = mark_write_off(serial="A0000009", state=MarkState.LOST, by=quinn, reason="Bong tem")
    assert lost.verification == on_scale  # a mark lost from an instrument keeps its instrument


def test_a_batch_never_repeats_a_serial(marks, quinn):
    assert Mark.objects.filter(batch=marks).count() == 100
    with pytest.raises(ValidationError, match="already in the stock: A0000100"):
        batch_receive(
            kind=MarkKind.STAMP,
            series="a",
            first=100,
            last=120,
            received_on=dt.date(2024, 2, 1),
            by=quinn,
        )
    with pytest.raises(ValidationError, match="not below 1"):
        batch_receive(
            kind=MarkKind.STAMP,
            series="B",
            first=5,
            last=4,
            received_on=dt.date(2024, 2, 1),
            by=quinn,
        )
    assert Mark.objects.count() == 100


def test_the_marks_page_answers_which_instrument_carries_a_mark(
    client, marks, verifier, scale_type, rita
):
    on_scale = a_verification(scale_type, verifier, serial="CAN-77")
    with transaction.atomic():
        mark_use(verification=on_scale, by=verifier, serial="A0000007")
    text = login(client, rita).get("/verification/marks/?serial=a0000007").content.decode()
    assert "CAN-77" in text and "Bà Lan" in text and "On an instrument" in text
    response = client.post(
        "/verification/marks/write-off/", {"serial": "A0000099", "state": "lost", "reason": ""}
    )
    assert response.status_code == 302 and Mark.objects.get(serial="A0000099").state == "available"
    text = client.get("/verification/marks/?serial=ZZZ").content.decode()
    assert "No mark ZZZ in the lab" in text
