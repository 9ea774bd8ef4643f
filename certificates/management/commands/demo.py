"""Load the demo lab: a provincial metrology centre with its standards, customers and work.

Idempotent: every record is found by its natural key before it is created, so running the command
again changes nothing but the demo users' passwords, which it resets to the printed ones.
"""

import datetime as dt
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Calibration, Instrument, Procedure, ScopeEntry, State
from certificates.models import Replacement, Withdrawal
from certificates.revisions import certificate_replace, certificate_withdraw
from certificates.services import certificate_issue
from competence.models import Authorisation
from competence.services import authorisation_grant
from jobs.models import Job
from jobs.services import job_item_start, job_receive, job_request, job_return
from lims.models import Customer, Role, Sector, User
from portal.services import instrument_recall_set, recall_history
from standards.intervals import interval_propose
from standards.models import (
    Conformity,
    NationalStandard,
    Provider,
    Standard,
    StandardCalibration,
    StandardStatus,
)
from standards.services import (
    check_record,
    standard_calibration_record,
    standard_register,
    standard_set_status,
    standard_update,
)
from verification import demo as verification_demo

PASSWORD = "demo-2026"

USERS = [
    ("admin", "Quản trị", "Hệ thống", Role.ADMINISTRATOR, None),
    ("an", "An", "Nguyễn Văn", Role.TECHNICIAN, None),
    ("binh", "Bình", "Trần Thị", Role.TECHNICIAN, None),
    ("chau", "Châu", "Lê Minh", Role.REVIEWER, None),
    ("dung", "Dung", "Phạm Thu", Role.QUALITY_MANAGER, None),
    ("xangdau", "Hải", "Võ Thanh", Role.CUSTOMER, "5900189325"),
    ("dienluc", "Khoa", "Đặng Văn", Role.CUSTOMER, "0100100417-021"),
    ("thucpham", "Lan", "Huỳnh Ngọc", Role.CUSTOMER, "5900432180"),
]

CUSTOMERS = [
    dict(
        name="Công ty Cổ phần Xăng dầu Gia Lai",
        short_name="Xăng dầu Gia Lai",
        tax_code="5900189325",
        address="02 Hùng Vương, TP. Pleiku, Gia Lai",
        contact_name="Võ Thanh Hải",
        contact_phone="0269 3824 111",
        contact_email="kythuat@xangdaugialai.vn",
        sector=Sector.FUEL,
    ),
    dict(
        name="Công ty Điện lực Gia Lai",
        short_name="Điện lực Gia Lai",
        tax_code="0100100417-021",
        address="120 Trần Hưng Đạo, TP. Pleiku, Gia Lai",
        contact_name="Đặng Văn Khoa",
        contact_phone="0269 2222 333",
        contact_email="thinghiem@pcgialai.vn",
        sector=Sector.POWER,
    ),
    dict(
        name="Công ty TNHH Chế biến Thực phẩm Phú Tài",
        short_name="Thực phẩm Phú Tài",
        tax_code="5900432180",
        address="KCN Trà Đa, TP. Pleiku, Gia Lai",
        contact_name="Huỳnh Ngọc Lan",
        contact_phone="0269 3745 678",
        contact_email="qa@phutaifood.vn",
        sector=Sector.FOOD,
    ),
]

PROVIDERS = [
    dict(
        name="Viện Đo lường Việt Nam",
        short_name="VMI",
        is_nmi=True,
        accreditation_body="BoA",
        accreditation_number="VILAS 002",
    ),
    dict(
        name="Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng 3",
        short_name="QUATEST 3",
        accreditation_body="BoA",
        accreditation_number="VILAS 004",
        accreditation_valid_until=dt.date(2029, 6, 30),
    ),
]

# Which national standard each quantity's chain reaches (VMI's, per its published CMCs).
NATIONAL_STANDARDS = {
    "khối lượng": dict(
        institute="VMI",
        name="Chuẩn đo lường quốc gia về khối lượng (quả cân 1 kg)",
        quantity="khối lượng",
        cmc="1 kg: 0,05 mg (k = 2)",
        kcdb_reference="BIPM KCDB, APMP, Viet Nam, VMI, M/Mass standards",
        si_unit="kilôgam (kg)",
    ),
    "nhiệt độ": dict(
        institute="VMI",
        name="Chuẩn đo lường quốc gia về nhiệt độ (ITS-90, -189 °C – 962 °C)",
        quantity="nhiệt độ",
        cmc="0 °C – 420 °C: 2 mK – 8 mK (k = 2)",
        kcdb_reference="BIPM KCDB, APMP, Viet Nam, VMI, T/Thermometry",
        si_unit="kelvin (K)",
    ),
    "áp suất": dict(
        institute="VMI",
        name="Chuẩn đo lường quốc gia về áp suất (áp kế piston 0,1 – 100 MPa)",
        quantity="áp suất",
        cmc="0,1 MPa – 100 MPa: 35·10⁻⁶ p (k = 2)",
        kcdb_reference="BIPM KCDB, APMP, Viet Nam, VMI, M/Pressure",
        si_unit="pascal (Pa)",
    ),
    "dung tích": dict(
        institute="VMI",
        name="Chuẩn đo lường quốc gia về dung tích (bình chuẩn 2 L – 1000 L)",
        quantity="dung tích",
        cmc="20 L: 0,004 L (k = 2)",
        kcdb_reference="BIPM KCDB, APMP, Viet Nam, VMI, M/Volume",
        si_unit="mét khối (m³)",
    ),
}

# asset, name, quantity, maker, model, serial, grade, range, unit, provider, certificate, months ago, values
STANDARDS = [
    (
        "CKL-E2-01",
        "Bộ quả cân chuẩn E2 1 mg – 200 g",
        "khối lượng",
        "Häfner",
        "E2 set",
        "H21-0457",
        "OIML R111 E2",
        "1 mg – 200 g",
        "g",
        "VMI",
        "V01.24.1187",
        7,
        [
            ("10 g", "10", "10.000012", "0.000020"),
            ("50 g", "50", "50.000027", "0.000030"),
            ("100 g", "100", "100.000021", "0.000050"),
            ("200 g", "200", "199.999965", "0.000100"),
        ],
    ),
    (
        "CKL-F1-02",
        "Bộ quả cân chuẩn F1 1 kg – 20 kg",
        "khối lượng",
        "Zwiebel",
        "F1 set",
        "Z19-3310",
        "OIML R111 F1",
        "1 kg – 20 kg",
        "kg",
        "VMI",
        "V01.24.1188",
        7,
        [
            ("1 kg", "1", "1.0000021", "0.0000050"),
            ("5 kg", "5", "5.000011", "0.000025"),
            ("10 kg", "10", "10.000018", "0.000050"),
            ("20 kg", "20", "20.000040", "0.000100"),
        ],
    ),
    (
        "QC-M1-01",
        "Bộ quả cân M1 1 kg – 20 kg (kiểm định cân thông dụng)",
        "khối lượng",
        "Vĩnh Phát",
        "M1 set",
        "VP-2409",
        "OIML R111 M1",
        "1 kg – 20 kg",
        "kg",
        "VMI",
        "V01.24.1321",
        6,
        [
            ("1 kg", "1", "1.00002", "0.00005"),
            ("5 kg", "5", "5.00009", "0.00025"),
            ("10 kg", "10", "10.00016", "0.0005"),
            ("20 kg", "20", "20.0003", "0.001"),
        ],
    ),
    (
        "BC-20L-01",
        "Bình chuẩn kim loại hạng II 20 L",
        "dung tích",
        "TĐC Gia Lai",
        "BCKL-20",
        "BC-0917",
        "hạng II",
        "20 L",
        "L",
        "VMI",
        "V05.24.0288",
        4,
        [("20 L", "20", "20.003", "0.004")],
    ),
    (
        "NK-PT100-01",
        "Nhiệt kế điện trở platin chuẩn Pt-100 và bộ chỉ thị",
        "nhiệt độ",
        "Fluke",
        "5615 / 1524",
        "B38422",
        "SPRT làm việc",
        "-50 °C – 420 °C",
        "°C",
        "VMI",
        "V03.24.0562",
        5,
        [
            ("0 °C", "0", "0.008", "0.020"),
            ("50 °C", "50", "50.012", "0.025"),
            ("100 °C", "100", "100.015", "0.030"),
            ("150 °C", "150", "150.021", "0.035"),
        ],
    ),
    (
        "AK-PT-01",
        "Áp kế piston chuẩn 0,6 – 60 MPa",
        "áp suất",
        "DH-Budenberg",
        "580DX",
        "PB-6612",
        "cấp 0,015",
        "0,6 MPa – 60 MPa",
        "bar",
        "QUATEST 3",
        "Q3-AS-24.0915",
        4,
        [
            ("10 bar", "10", "10.0006", "0.0015"),
            ("50 bar", "50", "50.0031", "0.0075"),
            ("100 bar", "100", "100.006", "0.015"),
        ],
    ),
    (
        "NK-CT-02",
        "Nhiệt kế thủy tinh chuẩn 0 – 100 °C",
        "nhiệt độ",
        "Amarell",
        "G12580",
        "A-771",
        "0,1 °C",
        "0 °C – 100 °C",
        "°C",
        "QUATEST 3",
        "Q3-NĐ-23.0412",
        14,
        [("20 °C", "20", "20.03", "0.06"), ("60 °C", "60", "60.05", "0.06")],
    ),
]

# Register details: level, tolerance, checks, acquisition (date, cost in VND, funding).
# acquired_on: a date, or how long before the demo's day (the standards bought this year, which
# the programme report lists with their cost and funding)
REGISTER = {
    "QC-M1-01": dict(
        level="working",
        check_interval_days=90,
        acquired_on=dt.timedelta(days=200),
        acquisition_cost=Decimal("68500000"),
        funding_source="programme",
    ),
    "BC-20L-01": dict(
        level="working",
        check_interval_days=90,
        acquired_on=dt.timedelta(days=150),
        acquisition_cost=Decimal("42000000"),
        funding_source="state_budget",
    ),
    "CKL-E2-01": dict(
        level="reference",
        check_interval_days=90,
        acquired_on=dt.date(2019, 5, 14),
        acquisition_cost=Decimal("185000000"),
        funding_source="state_budget",
    ),
    "CKL-F1-02": dict(
        level="working",
        check_interval_days=30,
        acquired_on=dt.date(2021, 9, 2),
        acquisition_cost=Decimal("96500000"),
        funding_source="development_fund",
    ),
    "NK-PT100-01": dict(
        level="reference",
        tolerance=Decimal("0.05"),
        acquired_on=dt.date(2020, 11, 20),
        acquisition_cost=Decimal("412000000"),
        funding_source="programme",
    ),
    "AK-PT-01": dict(
        level="reference",
        acquired_on=dt.date(2018, 3, 9),
        acquisition_cost=Decimal("650000000"),
        funding_source="state_budget",
    ),
    "NK-CT-02": dict(
        level="working",
        tolerance=Decimal("0.1"),
        check_interval_days=30,
        acquired_on=dt.date(2016, 6, 1),
        acquisition_cost=Decimal("8200000"),
        funding_source="own_revenue",
    ),
}

# Sets calibrated piece by piece: label, nominal, marking, maximum permissible error (OIML R111).
PIECES = {
    "CKL-E2-01": [
        ("10 g", "10", "•", "0.000020"),
        ("50 g", "50", "", "0.000030"),
        ("100 g", "100", "", "0.000050"),
        ("200 g", "200", "", "0.000100"),
    ],
}

# Earlier certificates of the E2 set: number, months ago, values (label, nominal, value, U).
WEIGHT_HISTORY = [
    (
        "V01.22.0968",
        31,
        [
            ("10 g", "10", "10.000006", "0.000020"),
            ("50 g", "50", "50.000018", "0.000030"),
            ("100 g", "100", "100.000009", "0.000050"),
            ("200 g", "200", "199.999981", "0.000100"),
        ],
    ),
    (
        "V01.23.1034",
        19,
        [
            ("10 g", "10", "10.000009", "0.000020"),
            ("50 g", "50", "50.000025", "0.000030"),
            ("100 g", "100", "100.000015", "0.000050"),
            ("200 g", "200", "199.999972", "0.000100"),
        ],
    ),
]

# Intermediate checks: standard, point, days ago of the first, values a month apart.
CHECKS = [
    (
        "CKL-F1-02",
        "1 kg",
        200,
        ["1.0000021", "1.0000023", "1.0000020", "1.0000022", "1.0000021", "1.0000022", "1.0000021"],
    ),
    ("NK-CT-02", "20 °C", 190, ["20.03", "20.04", "20.03", "20.02", "20.03", "20.19"]),
]

APPROVED = {"status": "approved", "effective_on": dt.date(2024, 1, 1)}

PROCEDURES = [
    dict(
        code="QTHC-KL-01",
        title_vi="Cân phân tích và cân kỹ thuật – Quy trình hiệu chuẩn",
        title_en="Analytical and precision balances – Calibration procedure",
        quantity="khối lượng",
        unit="g",
        points=["10", "50", "100", "200"],
        readings_per_point=3,
        tolerance_abs=Decimal("0.0005"),
        tolerance_source="class",
        decision_rule="simple",
        temperature_min=Decimal("18"),
        temperature_max=Decimal("27"),
        humidity_min=Decimal("30"),
        humidity_max=Decimal("80"),
        budget=[
            {"name": "r", "source": "readings"},
            {"name": "d_r", "source": "resolution"},
            {"name": "x_ref", "source": "certificate"},
            {
                "name": "d_drift",
                "source": "drift",
                "dist": "rectangular",
                "value": "0.00003",
                "note": "Trôi của quả cân giữa hai lần hiệu chuẩn / drift of the weights",
            },
        ],
        model="r + d_r - x_ref - d_drift",
        **APPROVED,
    ),
    dict(
        code="QTHC-ND-03",
        title_vi="Nhiệt kế chỉ thị hiện số và tương tự – Quy trình hiệu chuẩn",
        title_en="Digital and analogue thermometers – Calibration procedure",
        quantity="nhiệt độ",
        unit="°C",
        points=["0", "50", "100", "150"],
        readings_per_point=3,
        tolerance_abs=Decimal("0.5"),
        tolerance_source="maker",
        decision_rule="guarded_acceptance",
        temperature_min=Decimal("15"),
        temperature_max=Decimal("35"),
        humidity_max=Decimal("85"),
        budget=[
            {"name": "r", "source": "readings"},
            {"name": "d_r", "source": "resolution"},
            {"name": "x_ref", "source": "certificate"},
            {
                "name": "d_bath",
                "source": "temperature",
                "dist": "rectangular",
                "value": "0.02",
                "note": "Độ ổn định và đồng đều của bể / bath stability and uniformity",
            },
        ],
        model="r + d_r - x_ref - d_bath",
        **APPROVED,
    ),
    dict(
        code="QTHC-AS-02",
        title_vi="Áp kế kiểu lò xo và hiện số – Quy trình hiệu chuẩn",
        title_en="Bourdon-tube and digital pressure gauges – Calibration procedure",
        quantity="áp suất",
        unit="bar",
        points=["10", "50", "100"],
        readings_per_point=3,
        tolerance_rel=Decimal("1.6"),
        tolerance_source="class",
        decision_rule="simple",
        temperature_min=Decimal("15"),
        temperature_max=Decimal("35"),
        budget=[
            {"name": "r", "source": "readings"},
            {"name": "d_r", "source": "resolution"},
            {"name": "x_ref", "source": "certificate"},
            {
                "name": "d_h",
                "source": "other",
                "dist": "rectangular",
                "value": "0.05",
                "relative": True,
                "note": "Trễ / hysteresis, % of reading",
            },
        ],
        model="r + d_r - x_ref - d_h",
        **APPROVED,
    ),
]

# The lab's scope of accreditation: procedure, quantity, unit, from, to, CMC (U) abs, rel %
SCOPE = [
    ("QTHC-KL-01", "khối lượng", "g", "0", "220", "0.00005", "0"),
    ("QTHC-KL-01", "khối lượng", "g", "220", "6100", "0.005", "0"),
    ("QTHC-ND-03", "nhiệt độ", "°C", "-30", "150", "0.05", "0"),
    ("QTHC-AS-02", "áp suất", "bar", "0", "160", "0", "0.05"),
]

# who may perform, review and approve which procedures (clause 6.2)
AUTHORISATIONS = [
    ("an", ["QTHC-KL-01", "QTHC-ND-03", "QTHC-AS-02"], ["perform"], "training"),
    ("binh", ["QTHC-KL-01", "QTHC-ND-03", "QTHC-AS-02"], ["perform"], "supervised_work"),
    ("chau", ["QTHC-KL-01", "QTHC-ND-03", "QTHC-AS-02"], ["review", "approve"], "qualification"),
]

# customer tax code, name, maker, model, serial, range, resolution, unit
INSTRUMENTS = [
    ("5900189325", "Áp kế lò xo", "Wika", "232.50", "1A2201", "0 – 160 bar", "1", "bar"),
    ("5900189325", "Áp kế hiện số", "Additel", "ADT680", "680-11873", "0 – 100 bar", "0.01", "bar"),
    ("5900189325", "Nhiệt kế hiện số", "Testo", "110", "TS-5521", "-50 – 150 °C", "0.1", "°C"),
    ("5900189325", "Cân kỹ thuật", "Ohaus", "PX3202", "B739226510", "0 – 3200 g", "0.01", "g"),
    (
        "0100100417-021",
        "Nhiệt kế hiện số",
        "Hioki",
        "3441",
        "HK-20481",
        "-40 – 200 °C",
        "0.1",
        "°C",
    ),
    ("0100100417-021", "Áp kế lò xo", "Yamaki", "PG-100", "Y-88120", "0 – 60 bar", "0.5", "bar"),
    (
        "0100100417-021",
        "Cân phân tích",
        "Sartorius",
        "Quintix224",
        "0034512877",
        "0 – 220 g",
        "0.0001",
        "g",
    ),
    ("0100100417-021", "Áp kế hiện số", "Druck", "DPI 104", "DR-1195", "0 – 70 bar", "0.01", "bar"),
    (
        "5900432180",
        "Cân phân tích",
        "Shimadzu",
        "AUW220D",
        "D471903344",
        "0 – 220 g",
        "0.0001",
        "g",
    ),
    ("5900432180", "Nhiệt kế hiện số", "Ebro", "TFX 410", "EB-33021", "-50 – 300 °C", "0.1", "°C"),
    ("5900432180", "Cân kỹ thuật", "AND", "GX-6100", "6A-220341", "0 – 6100 g", "0.01", "g"),
    ("5900432180", "Nhiệt kế hiện số", "Testo", "108", "TS-9001", "-50 – 300 °C", "0.1", "°C"),
]

# instrument serial, procedure, standard, [(reference label, readings)], final state
CALIBRATIONS = [
    (
        "D471903344",
        "QTHC-KL-01",
        "CKL-E2-01",
        [
            ("10 g", ["10.0001", "10.0000", "10.0001"]),
            ("100 g", ["100.0002", "100.0001", "100.0002"]),
            ("200 g", ["199.9998", "199.9999", "199.9998"]),
        ],
        State.ISSUED,
    ),
    (
        "HK-20481",
        "QTHC-ND-03",
        "NK-PT100-01",
        [
            ("0 °C", ["0.1", "0.1", "0.0"]),
            ("50 °C", ["50.2", "50.1", "50.2"]),
            ("100 °C", ["100.3", "100.2", "100.3"]),
        ],
        State.ISSUED,
    ),
    (
        "1A2201",
        "QTHC-AS-02",
        "AK-PT-01",
        [
            ("10 bar", ["10", "11", "10"]),
            ("50 bar", ["50", "51", "51"]),
            ("100 bar", ["101", "101", "100"]),
        ],
        State.ISSUED,
    ),
    (
        "0034512877",
        "QTHC-KL-01",
        "CKL-E2-01",
        [
            ("50 g", ["50.0003", "50.0002", "50.0003"]),
            ("100 g", ["100.0004", "100.0003", "100.0004"]),
        ],
        State.APPROVED,
    ),
    (
        "TS-5521",
        "QTHC-ND-03",
        "NK-PT100-01",
        [("50 °C", ["50.3", "50.2", "50.3"]), ("100 °C", ["100.4", "100.4", "100.3"])],
        State.REVIEWED,
    ),
    (
        "DR-1195",
        "QTHC-AS-02",
        "AK-PT-01",
        [("10 bar", ["10.01", "10.02", "10.01"]), ("50 bar", ["50.04", "50.05", "50.04"])],
        State.SUBMITTED,
    ),
    (
        "EB-33021",
        "QTHC-ND-03",
        "NK-PT100-01",
        [("0 °C", ["-0.1", "0.0", "-0.1"]), ("150 °C", ["150.4", "150.5", "150.4"])],
        State.DRAFT,
    ),
]

# The customers' measurement-assurance programmes (the portal): instruments calibrated here
# before, each through a job handed back, and the recall intervals the customers chose, so that
# their dashboards show instruments overdue, due soon, in force, without an interval, never
# calibrated here, and asked for again.
_BALANCE = [
    ("10 g", ["10.0001", "10.0000", "10.0001"]),
    ("100 g", ["100.0002", "100.0001", "100.0002"]),
    ("200 g", ["199.9998", "199.9999", "199.9998"]),
]
_BALANCE_OFF = _BALANCE[:2] + [("200 g", ["200.0007", "200.0008", "200.0007"])]  # 0.75 mg > 0.5 mg
_THERMOMETER = [
    ("0 °C", ["0.1", "0.1", "0.0"]),
    ("50 °C", ["50.2", "50.1", "50.2"]),
    ("100 °C", ["100.3", "100.2", "100.3"]),
]
_GAUGE = [
    ("10 bar", ["10.0", "10.1", "10.0"]),
    ("50 bar", ["50.2", "50.3", "50.2"]),
    ("100 bar", ["100.4", "100.5", "100.4"]),
]

# customer, name, maker, model, serial, range, resolution, unit, customer's ID, location,
# calibrated here (procedure, standard, days ago, readings) or None, recall months, reason
PORTAL_FLEET = [
    (
        "5900189325",
        "Cân phân tích",
        "Sartorius",
        "Entris 224",
        "0037710041",
        "0 – 220 g",
        "0.0001",
        "g",
        "XD-CAN-01",
        "Phòng thử nghiệm xăng dầu",
        ("QTHC-KL-01", "CKL-E2-01", 395, _BALANCE_OFF),
        12,
        "Cân dùng hằng ngày cho thử nghiệm / used daily for tests",
    ),
    (
        "5900189325",
        "Áp kế lò xo",
        "Wika",
        "213.53",
        "2B-5510",
        "0 – 160 bar",
        "0.1",
        "bar",
        "XD-AK-07",
        "Kho xăng dầu Pleiku",
        ("QTHC-AS-02", "AK-PT-01", 110, _GAUGE),
        3,
        "Áp kế đường ống xuất, rung mạnh / export line gauge, heavy vibration",
    ),
    (
        "5900189325",
        "Nhiệt kế hiện số",
        "Testo",
        "104",
        "TS-104-881",
        "-50 – 250 °C",
        "0.1",
        "°C",
        "XD-NK-02",
        "Cửa hàng xăng dầu số 5",
        ("QTHC-ND-03", "NK-PT100-01", 140, _THERMOMETER),
        5,
        "Đo nhiệt độ khi nhập hàng / temperature at delivery",
    ),
    (
        "5900189325",
        "Áp kế hiện số",
        "Druck",
        "DPI 705",
        "DR-70512",
        "0 – 100 bar",
        "0.01",
        "bar",
        "XD-AK-11",
        "Trạm xuất hàng",
        ("QTHC-AS-02", "AK-PT-01", 60, _GAUGE),
        12,
        "Theo khuyến nghị của nhà sản xuất / as the maker advises",
    ),
    (
        "5900189325",
        "Nhiệt kế hiện số",
        "Hanna",
        "HI 98509",
        "HN-98509-3",
        "-50 – 150 °C",
        "0.1",
        "°C",
        "XD-NK-05",
        "Phòng thử nghiệm xăng dầu",
        ("QTHC-ND-03", "NK-PT100-01", 30, _THERMOMETER),
        None,
        "",
    ),
    (
        "5900189325",
        "Bình chuẩn kim loại hạng II",
        "",
        "20 L",
        "BC20-0118",
        "20 L",
        "0.01",
        "L",
        "XD-BC-01",
        "Cửa hàng xăng dầu số 5",
        None,
        None,
        "",
    ),
    (
        "5900189325",
        "Nhiệt kế hiện số",
        "Testo",
        "110",
        "TS-110-207",
        "-50 – 150 °C",
        "0.1",
        "°C",
        "XD-NK-07",
        "Cửa hàng xăng dầu số 2",
        ("QTHC-ND-03", "NK-PT100-01", 80, _THERMOMETER),
        12,
        "Đo nhiệt độ bồn chứa / tank temperature",
    ),
    (
        "5900432180",
        "Nhiệt kế hiện số",
        "Testo",
        "104-IR",
        "TS-IR-4410",
        "-50 – 250 °C",
        "0.1",
        "°C",
        "PT-NK-HACCP-01",
        "Xưởng chế biến, điểm CCP 2",
        ("QTHC-ND-03", "NK-PT100-01", 140, _THERMOMETER),
        3,
        "Điểm kiểm soát tới hạn HACCP / HACCP critical control point",
    ),
]
# recall intervals of instruments the demo calibrated above: serial, months, reason
PORTAL_INTERVALS = [
    ("D471903344", 12, "Kế hoạch đảm bảo đo lường 2026 / measurement assurance plan 2026"),
    ("1A2201", 6, "Áp kế tại trụ bơm / at the pump islands"),
    ("HK-20481", 12, "Theo quy định nội bộ / company rule"),
]


class Command(BaseCommand):
    help = "Load the demo laboratory (idempotent) and print the demo users and their password."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        users = self.users()
        admin = users["admin"]
        quality = users["dung"]
        providers = {}
        for data in PROVIDERS:
            providers[data["short_name"]], _ = Provider.objects.get_or_create(
                name=data["name"], defaults=data
            )
        for row in STANDARDS:
            self.standard(row, providers, quality, today)
        self.register_details(quality, today)
        self.history_of_weights(providers, quality, today)
        self.checks(users["an"], today)
        quarantined = Standard.objects.filter(asset_number="NK-CT-02").first()
        if quarantined and quarantined.status != StandardStatus.QUARANTINED:
            standard_set_status(
                standard=quarantined,
                status=StandardStatus.QUARANTINED,
                by=quality,
                reason="Kiểm tra giữa kỳ ngoài giới hạn / intermediate check out of limits",
            )
        for data in PROCEDURES:
            Procedure.objects.get_or_create(code=data["code"], defaults=data)
        self.scope()
        self.authorisations(users, quality)
        customers = {c.tax_code: c for c in (self.customer(data, admin) for data in CUSTOMERS)}
        self.link_customer_users(customers)
        for row in INSTRUMENTS:
            tax, name, maker, model, serial, rng, resolution, unit = row
            if not Instrument.objects.filter(
                customer=customers[tax], serial_number=serial
            ).exists():
                cal.instrument_register(
                    customer=customers[tax],
                    by=users["an"],
                    name=name,
                    manufacturer=maker,
                    model=model,
                    serial_number=serial,
                    measuring_range=rng,
                    resolution=Decimal(resolution),
                    unit=unit,
                )
        for index, row in enumerate(CALIBRATIONS):
            self.calibration(row, index, users, today)
        self.two_range_adjusted(users["an"], today)
        self.jobs(customers, users, today)
        self.portal(customers, users, today)
        self.revisions(users)
        verification_demo.load(users, customers, PASSWORD, today)
        self.stdout.write(
            self.style.SUCCESS(f"Demo lab loaded. Users (password for all: {PASSWORD}):")
        )
        for username, *_rest in USERS:
            user = users[username]
            self.stdout.write(f"  {username:10} {user.get_role_display():32} {user}")

    def two_range_adjusted(self, technician, today):
        """A digital pressure gauge with two ranges, adjusted: as-found and as-left readings in each,
        still a draft, so the entry grid shows every kind of section."""
        instrument = Instrument.objects.get(serial_number="680-11873")
        if Calibration.objects.filter(instrument=instrument).exists():
            return
        procedure = Procedure.objects.get(code="QTHC-AS-02", status="approved")
        for name, resolution, points in [
            ("0 – 10 bar", "0.001", ["10"]),
            ("0 – 100 bar", "0.01", ["50", "100"]),
        ]:
            cal.instrument_range_add(
                instrument=instrument,
                procedure=procedure,
                by=technician,
                name=name,
                resolution=Decimal(resolution),
                points=points,
            )
        calibration = cal.calibration_create(
            instrument=instrument,
            procedure=procedure,
            by=technician,
            received_on=today - dt.timedelta(days=2),
            performed_on=today - dt.timedelta(days=1),
            temperature=Decimal("24.2"),
            humidity=Decimal("61.0"),
            standards=[Standard.objects.get(asset_number="AK-PT-01")],
            adjustment="adjusted",
        )
        low, high = cal.ranges_of(calibration)
        values = {v.label: v for v in cal.allowed_references(calibration)}
        rows = [
            (low, "as_found", "10 bar", ["10.181", "10.182", "10.181"]),
            (high, "as_found", "50 bar", ["50.92", "50.93", "50.92"]),
            (high, "as_found", "100 bar", ["101.86", "101.85", "101.86"]),
            (low, "as_left", "10 bar", ["10.001", "10.002", "10.001"]),
            (high, "as_left", "50 bar", ["50.01", "50.00", "50.01"]),
            (high, "as_left", "100 bar", ["100.01", "100.02", "100.01"]),
        ]
        cal.calibration_set_points(
            calibration=calibration,
            rows=[cal.Row(r, phase, values[label], readings) for r, phase, label, readings in rows],
            by=technician,
        )

    def jobs(self, customers, users, today):
        """A job per calibration (so the board shows every state), one with the instruments that
        wait, received, and the first issued job handed back to its customer."""
        if Job.objects.exists():
            return
        condition = {
            "condition": "Tốt, niêm phong nguyên vẹn / good, seals intact",
            "accessories": "Hộp đựng / carrying case",
        }
        returned = False
        for calibration in Calibration.objects.select_related("instrument").order_by("pk"):
            job = job_receive(
                customer=calibration.instrument.customer,
                received_on=calibration.received_on,
                due_on=calibration.received_on + dt.timedelta(days=10),
                by=users["an"],
                technician=calibration.technician,
                customer_reference=f"PO-{calibration.received_on:%Y}-{calibration.pk:03d}",
                items=[{"instrument": calibration.instrument, **condition}],
            )
            item = job.items.get()
            item.calibration = calibration
            item._change_reason = "Demo"
            item.save(update_fields=["calibration"])
            if calibration.state == State.ISSUED and not returned:
                job_return(job=job, returned_on=today, by=users["an"])
                returned = True
        for customer in customers.values():
            waiting = Instrument.objects.filter(customer=customer, calibrations=None)
            if waiting.exists():
                job_receive(
                    customer=customer,
                    received_on=today - dt.timedelta(days=1),
                    due_on=today + dt.timedelta(days=9),
                    by=users["an"],
                    items=[{"instrument": instrument, **condition} for instrument in waiting],
                )

    def portal(self, customers, users, today):
        """The customers' own instruments calibrated here before, their recall intervals, and
        a calibration asked for through the portal."""
        user_of = {tax: users[name] for name, *_r, role, tax in USERS if role == Role.CUSTOMER}
        for row in PORTAL_FLEET:
            tax, name, maker, model, serial, rng, resolution, unit, asset, place = row[:10]
            history, months, reason = row[10:]
            instrument = Instrument.objects.filter(
                customer=customers[tax], serial_number=serial
            ).first() or cal.instrument_register(
                customer=customers[tax],
                by=users["an"],
                name=name,
                manufacturer=maker,
                model=model,
                serial_number=serial,
                measuring_range=rng,
                resolution=Decimal(resolution),
                unit=unit,
                customer_asset_id=asset,
                location=place,
            )
            if history and not instrument.calibrations.exists():
                self.calibrated_before(instrument, *history, users=users, today=today)
            if months and not recall_history(instrument):
                instrument_recall_set(
                    instrument=instrument, months=months, by=user_of[tax], reason=reason
                )
        for serial, months, reason in PORTAL_INTERVALS:
            instrument = Instrument.objects.get(serial_number=serial)
            if not recall_history(instrument):
                instrument_recall_set(
                    instrument=instrument,
                    months=months,
                    by=user_of[instrument.customer.tax_code],
                    reason=reason,
                )
        asker = users["xangdau"]
        if not Job.objects.filter(requested_by=asker).exists():
            job_request(
                by=asker,
                instruments=[Instrument.objects.get(serial_number="2B-5510")],
                wished_on=today + dt.timedelta(days=7),
                request="Kèm 2 bình chuẩn 5 L chưa đăng ký / with two 5 L standard vessels "
                "not yet registered",
                customer_reference="XD-2026-0412",
            )

    def revisions(self, users):
        """A certificate corrected (the old one superseded) and one withdrawn (17025 7.8.8)."""
        chau = users["chau"]
        wrong = Instrument.objects.get(serial_number="HN-98509-3").calibrations.earliest("pk")
        if not Replacement.objects.filter(replaced__calibration=wrong).exists():
            correction = certificate_replace(
                certificate=wrong.certificate,
                by=chau,
                password=PASSWORD,
                reason="Vị trí sử dụng ghi sai / location of use misprinted",
                changes="Vị trí sử dụng / location of use",
            ).calibration
            flow.calibration_submit(calibration=correction, by=users["an"])
            flow.calibration_review(calibration=correction, by=chau, password=PASSWORD)
            flow.calibration_approve(calibration=correction, by=chau, password=PASSWORD)
            certificate_issue(calibration=correction, by=chau)
        void = Instrument.objects.get(serial_number="TS-110-207").calibrations.get().certificate
        if not Withdrawal.objects.filter(certificate=void).exists():
            certificate_withdraw(
                certificate=void,
                by=chau,
                password=PASSWORD,
                reason="Nhiệt kế chuẩn dùng ngoài dải đã hiệu chuẩn / reference thermometer used "
                "outside its calibrated range",
            )

    def calibrated_before(self, instrument, code, asset, days_ago, points, *, users, today):
        """A calibration made here `days_ago`: received, calibrated, issued and handed back."""
        performed = today - dt.timedelta(days=days_ago)
        received = performed - dt.timedelta(days=2)
        job = job_receive(
            customer=instrument.customer,
            received_on=received,
            due_on=received + dt.timedelta(days=10),
            by=users["an"],
            technician=users["an"],
            items=[{"instrument": instrument, "condition": "Tốt / good"}],
        )
        calibration = job_item_start(
            item=job.items.get(),
            by=users["an"],
            procedure=Procedure.objects.get(code=code, status="approved"),
            received_on=received,
            performed_on=performed,
            temperature=Decimal("23.4"),
            humidity=Decimal("57.0"),
            standards=[Standard.objects.get(asset_number=asset)],
        )
        values = {v.label: v for v in cal.allowed_references(calibration)}
        for position, (label, readings) in enumerate(points, start=1):
            cal.calibration_set_point(
                calibration=calibration,
                position=position,
                reference=values[label],
                readings=readings,
                by=users["an"],
            )
        flow.calibration_submit(calibration=calibration, by=users["an"])
        flow.calibration_review(calibration=calibration, by=users["chau"], password=PASSWORD)
        flow.calibration_approve(calibration=calibration, by=users["chau"], password=PASSWORD)
        certificate_issue(calibration=calibration, by=users["chau"])
        job_return(job=job, returned_on=performed + dt.timedelta(days=3), by=users["an"])

    def scope(self):
        for code, quantity, unit, low, high, cmc_abs, cmc_rel in SCOPE:
            ScopeEntry.objects.get_or_create(
                procedure_code=code,
                unit=unit,
                minimum=Decimal(low),
                defaults={
                    "quantity": quantity,
                    "maximum": Decimal(high),
                    "cmc_abs": Decimal(cmc_abs),
                    "cmc_rel": Decimal(cmc_rel),
                },
            )

    def authorisations(self, users, by):
        for username, codes, activities, evidence in AUTHORISATIONS:
            for code in codes:
                for activity in activities:
                    if Authorisation.objects.filter(
                        person=users[username], procedure_code=code, activity=activity
                    ).exists():
                        continue
                    authorisation_grant(
                        person=users[username],
                        procedure_code=code,
                        activity=activity,
                        valid_from=dt.date(2024, 1, 1),
                        valid_until=dt.date(2027, 12, 31),
                        evidence_kind=evidence,
                        evidence="Đào tạo nội bộ 2024, 20 lần hiệu chuẩn có giám sát / "
                        "in-house training 2024, 20 supervised calibrations",
                        by=by,
                    )

    def users(self):
        users = {}
        for username, first, last, role, _tax in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, role=role)
                if role == Role.CUSTOMER:
                    user.customer = Customer.objects.filter(tax_code=_tax).first() or self.customer(
                        next(c for c in CUSTOMERS if c["tax_code"] == _tax), None
                    )
            user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
            user.set_password(PASSWORD)
            user._change_reason = "Demo"
            user.save()
            users[username] = user
        return users

    def customer(self, data, by):
        customer = Customer.objects.filter(tax_code=data["tax_code"]).first()
        if customer is None:
            customer = Customer(**data)
            customer.full_clean()
            customer._history_user, customer._change_reason = by, "Demo"
            customer.save()
        return customer

    def link_customer_users(self, customers):
        for username, _first, _last, role, tax in USERS:
            if role == Role.CUSTOMER:
                User.objects.filter(username=username, customer__isnull=True).update(
                    customer=customers[tax]
                )

    def standard(self, row, providers, by, today):
        (
            asset,
            name,
            quantity,
            maker,
            model,
            serial,
            grade,
            rng,
            unit,
            provider,
            number,
            months,
            values,
        ) = row
        standard = Standard.objects.filter(asset_number=asset).first() or standard_register(
            by=by,
            asset_number=asset,
            name=name,
            quantity=quantity,
            manufacturer=maker,
            model=model,
            serial_number=serial,
            grade=grade,
            measuring_range=rng,
            unit=unit,
            location="Phòng thí nghiệm",
            pieces=[
                {
                    "label": label,
                    "nominal": Decimal(nominal),
                    "marking": mark,
                    "tolerance": Decimal(mpe),
                }
                for label, nominal, mark, mpe in PIECES.get(asset, [])
            ],
        )
        if not StandardCalibration.objects.filter(
            provider=providers[provider], certificate_number=number
        ).exists():
            calibrated = today - dt.timedelta(days=30 * months)
            standard_calibration_record(
                standard=standard,
                provider=providers[provider],
                certificate_number=number,
                national_standard=self.national_standard(quantity),
                calibrated_on=calibrated,
                due_on=calibrated + dt.timedelta(days=365),
                by=by,
                values=[
                    {
                        "label": label,
                        "nominal": nominal,
                        "value": value,
                        "expanded_uncertainty": U,
                        "coverage_factor": "2",
                        "unit": unit,
                    }
                    for label, nominal, value, U in values
                ],
            )
        return standard

    def register_details(self, by, today):
        for asset, details in REGISTER.items():
            standard = Standard.objects.get(asset_number=asset)
            if standard.acquired_on is None:
                acquired = details["acquired_on"]
                if isinstance(acquired, dt.timedelta):
                    details = {**details, "acquired_on": today - acquired}
                standard_update(standard=standard, by=by, reason="Demo: sổ tài sản", **details)

    def history_of_weights(self, providers, by, today):
        """Two earlier VMI certificates of the E2 set, so that its drift and interval show."""
        standard = Standard.objects.get(asset_number="CKL-E2-01")
        for number, months, values in WEIGHT_HISTORY:
            if StandardCalibration.objects.filter(certificate_number=number).exists():
                continue
            calibrated = today - dt.timedelta(days=30 * months)
            standard_calibration_record(
                standard=standard,
                provider=providers["VMI"],
                certificate_number=number,
                national_standard=self.national_standard("khối lượng"),
                calibrated_on=calibrated,
                due_on=calibrated + dt.timedelta(days=365),
                conformity=Conformity.CONFORMS,
                by=by,
                values=[
                    {"label": label, "nominal": nominal, "value": value, "expanded_uncertainty": U}
                    for label, nominal, value, U in values
                ],
            )
        if not standard.interval_reviews.exists():
            interval_propose(standard=standard, by=by)

    def checks(self, technician, today):
        """Monthly checks of the F1 1 kg against its check weight; the glass thermometer's last
        check fell outside its limits, which put it in quarantine and opened a look-back."""
        for asset, label, days_ago, values in CHECKS:
            standard = Standard.objects.get(asset_number=asset)
            if standard.checks.exists():
                continue
            for n, value in enumerate(values):
                check_record(
                    standard=standard,
                    checked_on=today - dt.timedelta(days=days_ago - 30 * n),
                    label=label,
                    value=value,
                    by=technician,
                    remarks="Kiểm tra giữa kỳ / intermediate check",
                )

    def national_standard(self, quantity):
        data = NATIONAL_STANDARDS[quantity]
        national, _created = NationalStandard.objects.get_or_create(
            institute=data["institute"], name=data["name"], defaults=data
        )
        return national

    def calibration(self, row, index, users, today):
        serial, procedure, asset, points, final = row
        instrument = Instrument.objects.get(serial_number=serial)
        if Calibration.objects.filter(instrument=instrument).exists():
            return
        technician = users["an"] if index % 2 == 0 else users["binh"]
        reviewer = users["chau"]
        performed = today - dt.timedelta(days=3 * (len(CALIBRATIONS) - index))
        standard = Standard.objects.get(asset_number=asset)
        calibration = cal.calibration_create(
            instrument=instrument,
            procedure=Procedure.objects.get(code=procedure),
            by=technician,
            received_on=performed - dt.timedelta(days=2),
            performed_on=performed,
            temperature=Decimal("23.1"),
            humidity=Decimal("58.4"),
            standards=[standard],
        )
        values = {v.label: v for v in cal.allowed_references(calibration)}
        for position, (label, readings) in enumerate(points, start=1):
            cal.calibration_set_point(
                calibration=calibration,
                position=position,
                reference=values[label],
                readings=readings,
                by=technician,
            )
        steps = [State.SUBMITTED, State.REVIEWED, State.APPROVED, State.ISSUED]
        for step in steps[: steps.index(final) + 1] if final != State.DRAFT else []:
            if step == State.SUBMITTED:
                flow.calibration_submit(calibration=calibration, by=technician)
            elif step == State.REVIEWED:
                flow.calibration_review(
                    calibration=calibration,
                    by=reviewer,
                    password=PASSWORD,
                    reason="Đã soát xét dữ liệu",
                )
            elif step == State.APPROVED:
                flow.calibration_approve(calibration=calibration, by=reviewer, password=PASSWORD)
            else:
                certificate_issue(calibration=calibration, by=reviewer)
