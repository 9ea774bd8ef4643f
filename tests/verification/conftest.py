"""Fixtures for legal verification, reused by the campaigns and report tests.

type_list          a list of Group-2 instrument types, in force
scale_type         a non-automatic scale (OIML R76), every 12 months
dispenser_type     a fuel dispenser (OIML R117), every 12 months
water_meter_type   a cold water meter (OIML R49), every 60 months
meter_type         an AC electricity meter (OIML R46), every 60 months
verifier           alice, a technician holding a verifier card for each of the four types
marks              a batch of verification marks (stamps) A0000001 to A0000100
weights_m1         an M1 weight set (kg) calibrated by VMI, in calibration
"""

import datetime as dt

import pytest
from django.utils import timezone

from standards.services import standard_calibration_record, standard_register
from verification.cards import card_record
from verification.marks import batch_receive
from verification.models import (
    InstrumentType,
    ListStatus,
    MarkKind,
    Recommendation,
    TypeList,
)

CARD_NUMBER = "KĐV-0123"


@pytest.fixture
def type_list(db):
    return TypeList.objects.create(
        title="Danh mục phương tiện đo nhóm 2",
        legal_basis="Thông tư 23/2013/TT-BKHCN, sửa đổi bởi Thông tư 07/2019/TT-BKHCN",
        effective_on=dt.date(2020, 1, 1),
        status=ListStatus.IN_FORCE,
    )


def _type(type_list, code, number, name_vi, name_en, months, recommendation):
    return InstrumentType.objects.create(
        type_list=type_list,
        code=code,
        number=number,
        name_vi=name_vi,
        name_en=name_en,
        controls="PDM; KĐBĐ; KĐĐK; KĐSSC",
        interval_months=months,
        recommendation=recommendation,
    )


@pytest.fixture
def scale_type(type_list):
    return _type(type_list, "can-ban", "4.3", "Cân bàn", "Platform scale", 12, Recommendation.R76)


@pytest.fixture
def dispenser_type(type_list):
    return _type(
        type_list,
        "cot-do-xang-dau",
        "8.1",
        "Cột đo xăng dầu",
        "Fuel dispenser",
        12,
        Recommendation.R117,
    )


@pytest.fixture
def water_meter_type(type_list):
    return _type(
        type_list,
        "dong-ho-nuoc-lanh",
        "7.1",
        "Đồng hồ nước lạnh",
        "Cold water meter",
        60,
        Recommendation.R49,
    )


@pytest.fixture
def meter_type(type_list):
    return _type(
        type_list,
        "cong-to-dien-xoay-chieu",
        "12.1",
        "Công tơ điện xoay chiều",
        "AC electricity meter",
        60,
        Recommendation.R46,
    )


@pytest.fixture
def verifier(alice, quinn, scale_type, dispenser_type, water_meter_type, meter_type):
    """alice, with a card in force (from 2020 to three years from today) for the four types."""
    until = timezone.localdate() + dt.timedelta(days=3 * 365)
    for kind in (scale_type, dispenser_type, water_meter_type, meter_type):
        card_record(
            person=alice,
            card_number=CARD_NUMBER,
            type_code=kind.code,
            issued_by="Tổng cục Tiêu chuẩn Đo lường Chất lượng",
            valid_from=dt.date(2020, 1, 1),
            valid_until=until,
            by=quinn,
        )
    return alice


@pytest.fixture
def marks(quinn):
    return batch_receive(
        kind=MarkKind.STAMP,
        series="A",
        first=1,
        last=100,
        received_on=dt.date(2024, 1, 2),
        by=quinn,
    )


@pytest.fixture
def weights_m1(quinn, vmi, national_mass, today):
    """An M1 weight set (kg) calibrated by VMI 60 days ago, due in 305 days."""
    standard = standard_register(
        by=quinn,
        asset_number="M1-01",
        name="Bộ quả cân M1",
        quantity="mass",
        unit="kg",
        grade="M1",
    )
    standard_calibration_record(
        standard=standard,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.26.0420",
        calibrated_on=today - dt.timedelta(days=60),
        due_on=today + dt.timedelta(days=305),
        by=quinn,
        values=[
            {
                "label": "10 kg",
                "nominal": "10",
                "value": "10.00012",
                "expanded_uncertainty": "0.00016",
                "coverage_factor": "2",
            },
            {
                "label": "20 kg",
                "nominal": "20",
                "value": "20.00025",
                "expanded_uncertainty": "0.00030",
                "coverage_factor": "2",
            },
        ],
    )
    return standard


# A 30 kg × 10 g class III shop scale: Min 200 g, MPE 5 g to 500 e (5 kg), 10 g to 2000 e
# (20 kg), 15 g above.
SCALE_SPEC = {"max": "30", "e": "0.01", "class": "III", "unit": "kg"}


def scale_readings(*, passing: bool = True) -> dict:
    """Readings for SCALE_SPEC: every error within the MPE (the weighing at 5 kg exactly on it),
    or, failing, 30.02 kg at Max (error 20 g > 15 g)."""
    return {
        "weighing": [
            {"load": "0.2", "indication": "0.20"},
            {"load": "5", "indication": "5.005"},
            {"load": "20", "indication": "20.01"},
            {"load": "30", "indication": "30.01" if passing else "30.02"},
        ],
        "eccentricity": [
            {"position": p, "load": "10", "indication": i}
            for p, i in zip(
                ("centre", "front-left", "back-left", "back-right", "front-right"),
                ("10.00", "10.01", "10.00", "9.99", "10.00"),
                strict=True,
            )
        ],
        "repeatability": [{"load": "15", "indication": i} for i in ("15.00", "15.01", "15.00")],
        "discrimination": [
            {"load": "0.2", "indication": "0.20", "after": "0.21"},
            {"load": "30", "indication": "30.00", "after": "30.01"},
        ],
    }


def record_scale(by, scale_type, *, serial="CB-0001", passing=True, standards=(), **extra):
    """A draft verification of a SCALE_SPEC scale, recorded by `by` today."""
    from django.utils import timezone

    from verification.services import verification_record

    fields = {
        "owner": "Nguyễn Thị Lan",
        "stall": "A-12",
        "province": "Gia Lai",
        "verified_on": timezone.localdate(),
        "kind": "periodic",
        "manufacturer": "Nhơn Hòa",
        "model": "CĐH-30",
    }
    fields.update(extra)
    verification, _created = verification_record(
        by=by,
        instrument_type=scale_type,
        serial_number=serial,
        specification=dict(SCALE_SPEC),
        tests=scale_readings(passing=passing),
        standards=standards,
        **fields,
    )
    return verification
