"""The demo lab's legal verification: the Group-2 list, verifier cards, marks, verifications of an
enterprise's fuel dispenser and water meter, a scale that fails, and an on-site campaign at a
market. Idempotent: rows are found again by their fixed keys, and nothing issued is touched."""

import datetime as dt
import uuid

from verification.cards import card_record
from verification.marks import batch_receive, mark_write_off, serial_of
from verification.models import (
    Campaign,
    InstrumentType,
    Mark,
    MarkBatch,
    MarkKind,
    MarkState,
    VerificationState,
    VerifierCard,
)
from verification.typelists import BUNDLED, in_force, typelist_import, typelist_put_in_force

KEYS = uuid.UUID("6f1f4f1e-2a7c-4d43-9d7e-6b3f0c1d2e01")
PROVINCE = "Gia Lai"

# person, card number, the types it covers, valid from, valid until
CARDS = [
    (
        "an",
        "KĐV-0112",
        ["can-dong-ho-lo-xo", "can-ban-can-dia-can-treo", "cot-do-xang-dau", "dong-ho-nuoc-co-khi"],
        dt.date(2023, 1, 1),
        dt.date(2027, 12, 31),
    ),
    (
        "binh",
        "KĐV-0245",
        ["can-dong-ho-lo-xo", "can-ban-can-dia-can-treo"],
        dt.date(2024, 3, 1),
        dt.date(2028, 2, 29),
    ),
    ("binh", "KĐV-0245", ["dong-ho-nuoc-co-khi"], dt.date(2020, 7, 1), dt.date(2025, 6, 30)),
]

SPRING_SCALE = {"max": "30", "e": "0.1", "class": "IIII", "unit": "kg"}


def spring_readings(*, passing: bool = True) -> dict:
    """A 30 kg spring dial scale (e = 0.1 kg, class IIII) within its MPE, or 0.3 kg off at Max."""
    return {
        "weighing": [
            {"load": "1", "indication": "1.0"},
            {"load": "5", "indication": "5.0"},
            {"load": "20", "indication": "20.1"},
            {"load": "30", "indication": "30.1" if passing else "30.3"},
        ],
        "eccentricity": [
            {"position": p, "load": "10", "indication": i}
            for p, i in zip(
                ("centre", "front-left", "back-left", "back-right", "front-right"),
                ("10.0", "10.1", "10.0", "9.9", "10.0"),
                strict=True,
            )
        ],
        "repeatability": [{"load": "15", "indication": i} for i in ("15.0", "15.1", "15.0")],
        "discrimination": [
            {"load": "1", "indication": "1.0", "after": "1.1"},
            {"load": "30", "indication": "30.0", "after": "30.1"},
        ],
    }


def key(name: str) -> uuid.UUID:
    return uuid.uuid5(KEYS, name)


def type_list(by):
    if in_force() is None:
        typelist_put_in_force(
            type_list=typelist_import(
                title="Danh mục phương tiện đo nhóm 2 (trích, đã đối chiếu)",
                legal_basis="Thông tư 23/2013/TT-BKHCN, sửa đổi bởi 07/2019/TT-BKHCN và "
                "03/2024/TT-BKHCN (hiệu lực 15/10/2024)",
                effective_on=dt.date(2024, 10, 15),
                data=BUNDLED.read_bytes(),
                by=by,
            ),
            by=by,
        )
    return {t.code: t for t in InstrumentType.objects.filter(type_list=in_force())}


def cards(users, by):
    for username, number, codes, start, end in CARDS:
        for code in codes:
            if not VerifierCard.objects.filter(
                card_number=number, type_code=code, valid_from=start
            ).exists():
                card_record(
                    person=users[username],
                    card_number=number,
                    type_code=code,
                    issued_by="Tổng cục Tiêu chuẩn Đo lường Chất lượng",
                    valid_from=start,
                    valid_until=end,
                    by=by,
                )


def marks(by, today):
    if not MarkBatch.objects.exists():
        batch_receive(
            kind=MarkKind.STAMP,
            series="GL",
            first=1,
            last=500,
            received_on=today - dt.timedelta(days=90),
            by=by,
            note="Tem kiểm định năm 2026 / verification marks for 2026",
        )
        batch_receive(
            kind=MarkKind.SEAL,
            series="NP",
            first=1,
            last=200,
            received_on=today - dt.timedelta(days=90),
            by=by,
        )
    spoiled = serial_of("GL", 500)
    if Mark.objects.filter(serial=spoiled, state=MarkState.AVAILABLE).exists():
        mark_write_off(
            serial=spoiled,
            state=MarkState.SPOILED,
            by=by,
            reason="Rách khi bóc / torn when peeled",
        )


def issued(name, *, by, password, record, mark_serial=""):
    """Record (once) and issue (once) the verification of this name."""
    from verification.services import verification_issue, verification_record

    verification, _created = verification_record(by=by, client_key=key(name), **record)
    if verification.state == VerificationState.DRAFT:
        verification = verification_issue(
            verification=verification, by=by, password=password, mark_serial=mark_serial
        )
    return verification


def verifications(users, customers, types, standards, password, today):
    an = users["an"]
    issued(
        "dispenser",
        by=an,
        password=password,
        record={
            "instrument_type": types["cot-do-xang-dau"],
            "customer": customers["5900189325"],
            "owner": "Công ty Cổ phần Xăng dầu Gia Lai",
            "stall": "Cửa hàng xăng dầu số 5, vòi 2",
            "address": "Km 5 Quốc lộ 19, TP. Pleiku",
            "province": PROVINCE,
            "manufacturer": "Tatsuno",
            "model": "SUNNY",
            "serial_number": "TS-19-0457",
            "kind": "periodic",
            "verified_on": today - dt.timedelta(days=12),
            "specification": {
                "class": "0.5",
                "mmq": "5",
                "q_min": "5",
                "q_max": "50",
                "interval": "0.01",
            },
            "tests": {
                "delivery": [
                    {"flow_rate": "40", "standard": "20.000", "indication": "20.04"},
                    {"flow_rate": "6", "standard": "20.000", "indication": "19.98"},
                ],
                "minimum_quantity": [{"flow_rate": "6", "standard": "5.000", "indication": "5.01"}],
            },
            "standards": [standards["BC-20L-01"]],
        },
    )
    issued(
        "water-meter",
        by=an,
        password=password,
        record={
            "instrument_type": types["dong-ho-nuoc-co-khi"],
            "customer": customers["5900432180"],
            "owner": "Công ty CP Chế biến Thực phẩm Phú Tài",
            "address": "KCN Trà Đa, TP. Pleiku",
            "province": PROVINCE,
            "manufacturer": "Itron",
            "model": "Multimag TM II",
            "serial_number": "IT-2201-8841",
            "kind": "initial",
            "verified_on": today - dt.timedelta(days=20),
            "specification": {"q3": "2.5", "ratio": "100", "class": "2"},
            "tests": {
                "flow_rates": [
                    {
                        "point": "Q1",
                        "flow_rate": "0.025",
                        "temperature": "22",
                        "standard": "10.000",
                        "indication": "10.30",
                    },
                    {
                        "point": "Q2",
                        "flow_rate": "0.04",
                        "temperature": "22",
                        "standard": "10.000",
                        "indication": "10.12",
                    },
                    {
                        "point": "Q3",
                        "flow_rate": "2.5",
                        "temperature": "22",
                        "standard": "100.00",
                        "indication": "100.9",
                    },
                ]
            },
            "standards": [standards["BC-20L-01"]],
        },
    )
    issued(
        "failed-scale",
        by=an,
        password=password,
        record={
            "instrument_type": types["can-dong-ho-lo-xo"],
            "customer": customers["5900432180"],
            "owner": "Công ty CP Chế biến Thực phẩm Phú Tài",
            "stall": "Kho nguyên liệu",
            "address": "KCN Trà Đa, TP. Pleiku",
            "province": PROVINCE,
            "manufacturer": "Nhơn Hòa",
            "model": "CĐH-30",
            "serial_number": "NH-30-5512",
            "kind": "periodic",
            "verified_on": today - dt.timedelta(days=8),
            "specification": dict(SPRING_SCALE),
            "tests": spring_readings(passing=False),
            "standards": [standards["QC-M1-01"]],
        },
    )


# stall, owner, maker, serial, passes
STALLS = [
    (f"Sạp {n:02d}", owner, maker, f"{prefix}-{n:04d}", n != 7)
    for n, (owner, maker, prefix) in enumerate(
        [
            ("Nguyễn Thị Hoa", "Nhơn Hòa", "NH"),
            ("Trần Văn Bảy", "Nhơn Hòa", "NH"),
            ("Lê Thị Cúc", "Vĩnh Phát", "VP"),
            ("Phạm Văn Dũng", "Nhơn Hòa", "NH"),
            ("Huỳnh Thị Em", "Vĩnh Phát", "VP"),
            ("Võ Văn Phúc", "Nhơn Hòa", "NH"),
            ("Đặng Thị Giang", "Nhơn Hòa", "NH"),
            ("Bùi Văn Hùng", "Vĩnh Phát", "VP"),
            ("Đỗ Thị Kim", "Nhơn Hòa", "NH"),
            ("Ngô Văn Long", "Nhơn Hòa", "NH"),
            ("Dương Thị Mai", "Vĩnh Phát", "VP"),
            ("Lý Văn Nam", "Nhơn Hòa", "NH"),
        ],
        start=1,
    )
]


def campaign(users, types, standards, password, today):
    """Twelve spring scales at a market: eleven pass with their marks, one fails; all signed."""
    from verification.campaigns import (
        campaign_create,
        campaign_row_record,
        campaign_rows_sign,
        rows_to_sign,
    )

    an, binh = users["an"], users["binh"]
    market = Campaign.objects.filter(site="Chợ Lớn Quy Nhơn").first()
    if market is None:
        market = campaign_create(
            by=users["chau"],
            name="Kiểm định cân chợ Lớn Quy Nhơn 2026",
            site="Chợ Lớn Quy Nhơn",
            address="Đường Trần Hưng Đạo, phường Quy Nhơn, tỉnh Gia Lai",
            province=PROVINCE,
            starts_on=today - dt.timedelta(days=5),
            ends_on=today + dt.timedelta(days=2),  # still open: the entry page can be tried
            leader=an,
            team=[an, binh],
            standards=[standards["QC-M1-01"]],
            notes="Kế hoạch kiểm định phương tiện đo nhóm 2 năm 2026 (Đề án 996)",
        )
    for index, (stall, owner, maker, serial, passes) in enumerate(STALLS):
        verifier = an if index % 2 == 0 else binh
        campaign_row_record(
            campaign=market,
            by=verifier,
            client_key=key(f"market-{serial}"),
            instrument_type=types["can-dong-ho-lo-xo"],
            owner=owner,
            stall=stall,
            manufacturer=maker,
            model="CĐH-30",
            serial_number=serial,
            verified_on=market.starts_on,
            specification=dict(SPRING_SCALE),
            tests=spring_readings(passing=passes),
            kind="periodic",
            mark_serial=serial_of("GL", 100 + index) if passes else "",
        )
    for verifier in (an, binh):
        if rows_to_sign(market, verifier).exists():
            campaign_rows_sign(campaign=market, by=verifier, password=password)
    return market


def load(users, customers, password, today):
    """Everything above, in order: the list, cards, marks, verifications, the campaign."""
    from standards.models import Standard

    types = type_list(users["dung"])
    cards(users, users["dung"])
    marks(users["chau"], today)
    standards = {
        s.asset_number: s
        for s in Standard.objects.filter(asset_number__in=["QC-M1-01", "BC-20L-01"])
    }
    verifications(users, customers, types, standards, password, today)
    campaign(users, types, standards, password, today)
