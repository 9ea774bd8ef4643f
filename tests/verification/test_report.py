"""The programme report: each figure equals a count made directly from the data, on the page, in
the workbook and in the PDF; its number of queries does not grow with the rows; a bad year or
province is refused with the reason, never a 500.

The lab is in Gia Lai (settings.LAB_PROVINCE). `programme` builds one year's work there, beside
work of the year before and work in Bình Định that must not be counted.
"""

import datetime as dt
import doctest
import re
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from calibration import workflow as flow
from certificates.models import Certificate, Kind, Status
from certificates.revisions import certificate_replace, certificate_withdraw
from certificates.services import certificate_issue
from lims.models import Customer, Sector
from standards.models import Funding, Standard
from tests.conftest import PASSWORD, login
from verification.models import Campaign, Verification, VerificationKind, VerificationState
from verification.report import (
    KINDS,
    programme_report,
    quantity_names,
    report_parameters,
    report_provinces,
)

HERE = "Gia Lai"
THERE = "Bình Định"
ISSUED = VerificationState.ISSUED


@pytest.fixture(autouse=True)
def _lab_in_gia_lai(settings):
    settings.LAB_PROVINCE = HERE


@pytest.fixture
def year(today):
    return today.year


class Maker:
    """Verifications, campaigns and standards made straight in the database."""

    def __init__(self, verifier):
        self.verifier = verifier
        self.serial = 0

    def verification(self, instrument_type, *, on, province=HERE, passed=True, **fields):
        self.serial += 1
        fields.setdefault("state", ISSUED)
        fields.setdefault("owner", f"Hộ {self.serial}")
        if fields["state"] == ISSUED:
            fields.setdefault("number", f"{'KD' if passed else 'TB'}-{on.year}-{self.serial:05d}")
        return Verification.objects.create(
            instrument_type=instrument_type,
            province=province,
            serial_number=f"SN-{self.serial}",
            verified_on=on,
            verifier=self.verifier,
            passed=passed,
            **fields,
        )

    def campaign(self, site, *, on, province=HERE):
        return Campaign.objects.create(
            name=f"Kiểm định lưu động {site}",
            site=site,
            address=f"{site}, {province}",
            province=province,
            starts_on=on,
            ends_on=on + dt.timedelta(days=1),
            leader=self.verifier,
        )

    def standard(self, asset, *, on, cost=None, funding=""):
        return Standard.objects.create(
            asset_number=asset,
            name=f"Chuẩn {asset}",
            quantity="khối lượng",
            unit="kg",
            acquired_on=on,
            acquisition_cost=cost,
            funding_source=funding,
        )


@pytest.fixture
def programme(
    verifier, scale_type, dispenser_type, water_meter_type, customer, other_customer, year
):
    """A year of work in Gia Lai: two campaigns at one market and one at another, scales of stall
    holders passed and failed, enterprises' dispensers and meters; drafts, the year before and
    Bình Định beside it."""
    make = Maker(verifier)
    jan, feb, mar = (dt.date(year, m, 1) for m in (1, 2, 3))
    fuel = Customer.objects.create(
        name="Công ty Xăng dầu Gia Lai",
        tax_code="5900181234",
        address="Pleiku",
        province=HERE,
        sector=Sector.FUEL,
    )
    first = make.campaign("Chợ Pleiku", on=jan)
    again = make.campaign("Chợ Pleiku", on=mar)  # the same market, a second visit
    ankhe = make.campaign("Chợ An Khê", on=feb)
    owners = ["Bà Lan", "Bà Lan", "Ông Hùng", "Bà Mai", "Bà Mai", "Ông Tư"]
    for i, owner in enumerate(owners):
        make.verification(
            scale_type, on=jan, campaign=first, owner=owner, passed=i != 2, stall=f"S{i}"
        )
    make.verification(scale_type, on=mar, campaign=again, owner="Bà Lan", passed=False)
    make.verification(
        scale_type, on=feb, campaign=ankhe, owner="Ông Tư", kind=VerificationKind.INITIAL
    )
    make.verification(
        scale_type, on=feb, campaign=ankhe, owner="Ông Bảy", kind=VerificationKind.MARK_REPLACED
    )
    make.verification(scale_type, on=feb, campaign=ankhe, state=VerificationState.DRAFT)
    for kind in (
        VerificationKind.PERIODIC,
        VerificationKind.AFTER_REPAIR,
        VerificationKind.PERIODIC,
    ):
        make.verification(dispenser_type, on=feb, customer=fuel, owner=fuel.name, kind=kind)
    make.verification(dispenser_type, on=mar, customer=fuel, owner=fuel.name, passed=False)
    make.verification(water_meter_type, on=mar, customer=customer, owner=customer.name)
    # not counted: the year before, another province, a draft, a campaign elsewhere
    make.verification(scale_type, on=dt.date(year - 1, 12, 31), owner="Bà Lan")
    make.verification(
        scale_type,
        on=dt.date(year - 1, 6, 1),
        campaign=make.campaign("Chợ Pleiku", on=dt.date(year - 1, 6, 1)),
    )
    elsewhere = make.campaign("Chợ Quy Nhơn", on=jan, province=THERE)
    make.verification(scale_type, on=jan, campaign=elsewhere, province=THERE, owner="Bà Lan")
    make.verification(water_meter_type, on=jan, province=THERE, customer=other_customer, owner="X")
    make.verification(dispenser_type, on=jan, customer=fuel, state=VerificationState.DRAFT)
    make.standard("P-01", on=jan, cost=Decimal("450000000"), funding=Funding.STATE_BUDGET)
    make.standard("P-02", on=feb, cost=Decimal("38500000"), funding=Funding.STATE_BUDGET)
    make.standard("P-03", on=mar, cost=Decimal("12750000"), funding=Funding.OWN_REVENUE)
    make.standard("P-04", on=mar)  # cost and source not recorded
    make.standard("P-00", on=dt.date(year - 1, 11, 5), cost=Decimal("1000"), funding="programme")
    return SimpleNamespace(make=make, fuel=fuel, campaigns=[first, again, ankhe])


# --- Counts made directly from the data ----------------------------------------------------------


def issued_here(year, province=HERE):
    return Verification.objects.filter(state=ISSUED, verified_on__year=year, province=province)


def certificates_here(year, province=HERE):
    customers = Q(calibration__instrument__customer__province=province)
    if province == settings.LAB_PROVINCE:
        customers |= Q(calibration__instrument__customer__province="")
    return (
        Certificate.objects.with_status()
        .filter(customers, issued_at__year=year)
        .exclude(status=Status.WITHDRAWN)
        .exclude(calibration__replacing__isnull=False)
    )


def served_here(year, province=HERE):
    return Customer.objects.filter(
        Q(verifications__in=issued_here(year, province))
        | Q(instruments__calibrations__certificate__in=certificates_here(year, province))
    ).distinct()


def expected(year, province=HERE):
    """Every figure of the report, counted row by row without the report's queries."""
    verifications = issued_here(year, province)
    types = {}
    for v in verifications.select_related("instrument_type"):
        row = types.setdefault(
            v.instrument_type.code,
            {"verified": 0, "passed": 0, "failed": 0, **{k: 0 for k in KINDS}},
        )
        row["verified"] += 1
        row["passed" if v.passed else "failed"] += 1
        row[v.kind] += 1
    for code, row in types.items():  # the same, counted by the database one filter at a time
        of_type = verifications.filter(instrument_type__code=code)
        assert row["verified"] == of_type.count()
        assert row["passed"] == of_type.filter(passed=True).count()
        assert row["failed"] == of_type.filter(passed=False).count()
    certificates = certificates_here(year, province).filter(kind=Kind.CALIBRATION)
    fields = {}
    for c in certificates.select_related("calibration__procedure", "calibration__instrument"):
        name = quantity_names(c.calibration.procedure.quantity)
        row = fields.setdefault(name, {"certificates": 0, "customers": set()})
        row["certificates"] += 1
        row["customers"].add(c.calibration.instrument.customer_id)
    campaigns = Campaign.objects.filter(starts_on__year=year, province=province)
    served = served_here(year, province)
    strays = verifications.filter(customer__isnull=True)
    standards = Standard.objects.filter(acquired_on__year=year)
    return {
        "types": types,
        "verified": verifications.count(),
        "passed": verifications.filter(passed=True).count(),
        "failed": verifications.filter(passed=False).count(),
        "fields": {k: (v["certificates"], len(v["customers"])) for k, v in fields.items()},
        "certificates": certificates.count(),
        "calibrated_enterprises": len({c for v in fields.values() for c in v["customers"]}),
        "campaigns": {
            c.pk: (
                c.verifications.filter(state=ISSUED).count(),
                c.verifications.filter(state=ISSUED, passed=True).count(),
                c.verifications.filter(state=ISSUED, passed=False).count(),
            )
            for c in campaigns
        },
        "markets": len(set(campaigns.values_list("site", flat=True))),
        "sectors": {
            sector: (
                served.filter(sector=sector).count(),
                verifications.filter(customer__sector=sector).count(),
                certificates.filter(calibration__instrument__customer__sector=sector).count(),
            )
            for sector in Sector.values
            if served.filter(sector=sector).exists()
        },
        "enterprises": served.count(),
        "traders": len(set(strays.values_list("owner", flat=True))),
        "trader_verifications": strays.count(),
        "standards": sorted(standards.values_list("asset_number", flat=True)),
        "funding": {
            source: (
                standards.filter(funding_source=source).count(),
                standards.filter(funding_source=source).aggregate(s=Sum("acquisition_cost"))["s"]
                or Decimal(0),
            )
            for source in set(standards.values_list("funding_source", flat=True))
        },
        "cost": standards.aggregate(s=Sum("acquisition_cost"))["s"] or Decimal(0),
    }


def figures(report):
    """The same figures, read from the report."""
    return {
        "types": {
            t.code: {
                "verified": t.verified,
                "passed": t.passed,
                "failed": t.failed,
                **dict(zip(KINDS, t.kinds, strict=True)),
            }
            for t in report.verified
        },
        "verified": report.verified_total.verified,
        "passed": report.verified_total.passed,
        "failed": report.verified_total.failed,
        "fields": {
            (f.name_vi, f.name_en): (f.certificates, f.enterprises) for f in report.calibrated
        },
        "certificates": report.calibrated_certificates,
        "calibrated_enterprises": report.calibrated_enterprises,
        "campaigns": {c.pk: (c.verified, c.passed, c.failed) for c in report.campaigns},
        "markets": report.markets,
        "sectors": {
            s.sector: (s.enterprises, s.verifications, s.calibrations) for s in report.sectors
        },
        "enterprises": report.enterprises,
        "traders": report.traders,
        "trader_verifications": report.trader_verifications,
        "standards": sorted(s.asset_number for s in report.standards),
        "funding": {f.funding: (f.standards, f.cost) for f in report.funding},
        "cost": report.standards_cost,
    }


@pytest.fixture
def withdrawn(other_issued, other_customer, rita):
    """other_customer's certificate, its customer in Gia Lai, withdrawn."""
    Customer.objects.filter(pk=other_customer.pk).update(province=HERE)
    certificate_withdraw(
        certificate=other_issued, by=rita, password=PASSWORD, reason="Sai số hiệu chính"
    )
    return other_issued


def test_every_figure_equals_a_count_made_directly_from_the_data(
    programme, issued, withdrawn, year
):
    report = programme_report(year, HERE)
    assert figures(report) == expected(year)


def test_the_figures_are_the_ones_the_data_was_built_with(programme, issued, withdrawn, year):
    """The direct counts themselves, written out: a check that `expected` counts what it says."""
    report = programme_report(year, HERE)
    scales = next(t for t in report.verified if t.code == "can-ban")
    assert (scales.verified, scales.passed, scales.failed) == (9, 7, 2)
    assert dict(zip(KINDS, scales.kinds, strict=True)) == {
        "initial": 1,
        "periodic": 7,
        "after_repair": 0,
        "mark_replaced": 1,
    }
    dispensers = next(t for t in report.verified if t.code == "cot-do-xang-dau")
    assert (dispensers.verified, dispensers.passed, dispensers.failed) == (4, 3, 1)
    assert report.verified_total.verified == 14
    # one certificate of Sông Đà Water (no province: the lab's); the other one withdrawn
    assert report.calibrated_certificates == 1
    assert [(f.name_en, f.certificates, f.enterprises) for f in report.calibrated] == [
        ("mass", 1, 1)
    ]
    assert [(c.site, c.verified) for c in report.campaigns] == [
        ("Chợ Pleiku", 6),
        ("Chợ An Khê", 2),
        ("Chợ Pleiku", 1),
    ]
    assert report.markets == 2
    assert {s.sector: s.enterprises for s in report.sectors} == {"fuel": 1, "water": 1}
    # Bà Lan, Ông Hùng, Bà Mai, Ông Tư, Ông Bảy
    assert (report.traders, report.trader_verifications) == (5, 9)
    assert [(f.funding, f.standards, f.cost) for f in report.funding] == [
        ("state_budget", 2, Decimal("488500000")),
        ("own_revenue", 1, Decimal("12750000")),
        ("", 1, Decimal(0)),
    ]
    assert report.standards_cost == Decimal("501250000")


def test_another_province_counts_only_its_own_work(
    programme, issued, other_issued, other_customer, year
):
    Customer.objects.filter(pk=other_customer.pk).update(province=THERE)
    there = programme_report(year, THERE)
    assert figures(there) == expected(year, THERE)
    assert there.verified_total.verified == 2
    assert there.calibrated_certificates == 1  # other_customer's, now in Bình Định
    assert {s.sector for s in there.sectors} == {"chemicals"}
    here = programme_report(year, HERE)
    assert here.calibrated_certificates == 1  # Sông Đà Water's only
    assert figures(here) == expected(year)


def test_a_customer_without_a_province_counts_in_the_labs_own(issued, settings, year):
    assert issued.calibration.instrument.customer.province == ""
    assert programme_report(year, HERE).calibrated_certificates == 1
    settings.LAB_PROVINCE = THERE
    assert programme_report(year, HERE).calibrated_certificates == 0
    assert programme_report(year, THERE).calibrated_certificates == 1


def test_a_corrected_certificate_counts_once(issued, rita, alice, year):
    replacement = certificate_replace(
        certificate=issued, by=rita, password=PASSWORD, reason="Lỗi đánh máy", changes="Tên"
    )
    copy = replacement.calibration
    flow.calibration_submit(calibration=copy, by=alice)
    flow.calibration_review(calibration=copy, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=copy, by=rita, password=PASSWORD)
    certificate_issue(calibration=copy, by=rita)
    assert Certificate.objects.filter(issued_at__year=year).count() == 2
    report = programme_report(year, HERE)
    assert report.calibrated_certificates == 1
    assert figures(report) == expected(year)


def test_the_years_before_count_on_their_own(programme, year):
    before = programme_report(year - 1, HERE)
    assert figures(before) == expected(year - 1)
    assert before.verified_total.verified == 2
    assert before.standards_cost == Decimal(1000)


def test_an_empty_year_is_all_zeros(db):
    report = programme_report(2001, HERE)
    assert report.verified == () and report.verified_total.verified == 0
    assert report.calibrated_certificates == report.enterprises == report.traders == 0
    assert report.standards_cost == 0


def test_two_spellings_of_a_field_are_one_row():
    assert quantity_names("Mass") == quantity_names(" khối  lượng ") == ("khối lượng", "mass")


# --- Queries -------------------------------------------------------------------------------------


def queries_of(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    client, rita, programme, issued, withdrawn, meter_type, dispenser_type, year
):
    login(client, rita)
    small = queries_of(lambda: programme_report(year, HERE))
    page_small = queries_of(lambda: client.get("/verification/report/"))
    make = programme.make
    on = dt.date(year, 4, 1)
    for sector, tax_code in [
        (Sector.POWER, "5900000001"),
        (Sector.FOOD, "5900000002"),
        (Sector.HEALTH, "5900000003"),
    ]:
        enterprise = Customer.objects.create(
            name=f"Công ty {sector}", tax_code=tax_code, address="Pleiku", sector=sector
        )
        for _ in range(3):
            make.verification(meter_type, on=on, customer=enterprise, owner=enterprise.name)
    for i in range(4):
        campaign = make.campaign(f"Chợ {i}", on=on)
        for _ in range(5):
            make.verification(dispenser_type, on=on, campaign=campaign, passed=i % 2 == 0)
        make.standard(f"Q-{i}", on=on, cost=Decimal(1000 * i), funding=Funding.PROGRAMME)
    assert queries_of(lambda: programme_report(year, HERE)) == small
    assert queries_of(lambda: client.get("/verification/report/")) == page_small
    assert figures(programme_report(year, HERE)) == expected(year)


# --- The page ------------------------------------------------------------------------------------


class Tables(HTMLParser):
    """The page's tables as {testid: {row key: {column: text}}}, rows keyed by their data-*."""

    def __init__(self):
        super().__init__()
        self.tables, self.table, self.row, self.col, self.text = {}, None, None, None, ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-testid" in attrs:
            self.table = self.tables.setdefault(attrs["data-testid"], {})
        elif tag == "tr" and self.table is not None:
            keys = [v for k, v in attrs.items() if k.startswith("data-")]
            self.row = self.table.setdefault(keys[0], {}) if keys else None
        elif tag in ("td", "th") and self.row is not None and "data-col" in attrs:
            self.col, self.text = attrs["data-col"], ""

    def handle_data(self, data):
        if self.col:
            self.text += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.col:
            digits = re.sub(r"[.,\s]", "", self.text)
            value = int(digits) if digits.isdigit() else self.text.strip()
            if self.col == "kind":
                self.row.setdefault("kinds", []).append(value)
            else:
                self.row[self.col] = value
            self.col = None
        elif tag == "table":
            self.table = None


def page_tables(client, url="/verification/report/"):
    response = client.get(url)
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    return response, parser.tables


def test_the_page_shows_the_figures_counted_from_the_data(
    client, rita, programme, issued, withdrawn, year
):
    response, tables = page_tables(login(client, rita))
    want = expected(year)
    assert response.context["year"] == year and response.context["province"] == HERE
    for code, row in want["types"].items():
        shown = tables["verified"][code]
        assert (shown["verified"], shown["passed"], shown["failed"]) == (
            row["verified"],
            row["passed"],
            row["failed"],
        )
        assert shown["kinds"] == [row[k] for k in KINDS]
    assert tables["verified"]["total"]["verified"] == want["verified"]
    assert tables["calibrated"]["total"]["certificates"] == want["certificates"]
    for pk, (verified, passed, failed) in want["campaigns"].items():
        assert tables["campaigns"][str(pk)] == {
            "verified": verified,
            "passed": passed,
            "failed": failed,
        }
    for sector, (enterprises, verifications, calibrations) in want["sectors"].items():
        assert tables["sectors"][sector] == {
            "enterprises": enterprises,
            "verifications": verifications,
            "calibrations": calibrations,
        }
    assert tables["sectors"]["traders"]["enterprises"] == want["traders"]
    assert tables["sectors"]["total"]["enterprises"] == want["enterprises"] + want["traders"]
    for source, (n, cost) in want["funding"].items():
        assert tables["funding"][source or "none"] == {"standards": n, "cost": int(cost)}
    assert tables["funding"]["total"]["cost"] == int(want["cost"])
    assert set(tables["standards"]) == set(want["standards"])
    html = response.content.decode()
    assert html.count("<svg") == 2 and 'class="chart chart-bar"' in html
    assert "report/report.xlsx?year=" in html and "report/report.pdf?year=" in html


def test_the_page_offers_the_years_and_provinces_of_the_data(client, quinn, programme, year):
    response = login(client, quinn).get("/verification/report/")
    assert {year, year - 1} <= set(response.context["years"])
    assert response.context["provinces"] == sorted([HERE, THERE])
    html = response.content.decode()
    assert f'<option value="{HERE}" selected>' in html


def test_the_page_for_another_year_and_province(client, adam, programme, year):
    response = login(client, adam).get(
        "/verification/report/", {"year": str(year - 1), "province": HERE}
    )
    assert response.status_code == 200
    assert response.context["report"].verified_total.verified == expected(year - 1)["verified"]
    response = client.get("/verification/report/", {"year": str(year), "province": THERE})
    assert response.context["report"].verified_total.verified == expected(year, THERE)["verified"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"year": "abc"}, "The year must be a whole number"),
        ({"year": "1850"}, "The year must be a whole number"),
        ({"year": "99999"}, "The year must be a whole number"),
        ({"year": "２０２６"}, "The year must be a whole number"),
        ({"year": "-1"}, "The year must be a whole number"),
        ({"year": "1" * 5000}, "The year must be a whole number"),  # beyond int()'s digits
        ({"province": "Atlantis"}, "No record names the province"),
        ({"province": "x" * 5000}, "No record names the province"),
        ({"year": "abc", "province": "Atlantis"}, "No record names the province"),
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "/verification/report/",
        "/verification/report/report.xlsx",
        "/verification/report/report.pdf",
    ],
)
def test_a_bad_year_or_province_is_refused_with_the_reason(
    client, rita, programme, url, query, says
):
    response = login(client, rita).get(url, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert says in response.content.decode()


def test_a_year_to_come_is_refused(rita, today):
    with pytest.raises(ValidationError, match="from 1990 to"):
        report_parameters(str(today.year + 1), None, today=today)
    assert report_parameters(None, None, today=today) == (today.year, HERE)
    assert report_parameters(f" {today.year} ", f" {HERE} ", today=today) == (today.year, HERE)


def test_the_provinces_named_by_customers_are_offered(customer):
    Customer.objects.filter(pk=customer.pk).update(province="Kon Tum")
    assert report_provinces() == ["Gia Lai", "Kon Tum"]


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_technicians_and_customers_may_not_see_the_report(client, request, persona):
    user = request.getfixturevalue(persona)
    for url in (
        "/verification/report/",
        "/verification/report/report.xlsx",
        "/verification/report/report.pdf",
    ):
        assert login(client, user).get(url).status_code == 403


# --- The workbook --------------------------------------------------------------------------------


def workbook(client, query=None):
    response = client.get("/verification/report/report.xlsx", query or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return response, load_workbook(BytesIO(response.content))


def rows_of(sheet):
    header = [cell.value for cell in sheet[1]]
    return header, [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_workbook_has_one_sheet_per_table_with_the_counted_figures(
    client, quinn, programme, issued, withdrawn, year
):
    response, book = workbook(login(client, quinn))
    assert response["Content-Disposition"] == (
        f'attachment; filename="bao-cao-{year}-gia-lai.xlsx"'
    )
    assert book.sheetnames == [
        "Kiểm định - Verified",
        "Hiệu chuẩn - Calibrated",
        "Lưu động - Campaigns",
        "Doanh nghiệp - Enterprises",
        "Chuẩn - Standards",
        "Kinh phí - Funding",
    ]
    for sheet in book.worksheets:
        header, _rows = rows_of(sheet)
        assert sheet.freeze_panes == "A2"
        assert all(" / " in title for title in header), header
        assert all(cell.font.bold for cell in sheet[1])
    want = expected(year)

    header, rows = rows_of(book["Kiểm định - Verified"])
    assert header[2:5] == ["Số đã kiểm định / Verified", "Đạt / Passed", "Không đạt / Failed"]
    names = {t.code: t.name_vi for t in programme_report(year, HERE).verified}
    by_name = {row[0]: row for row in rows}
    for code, row in want["types"].items():
        assert by_name[names[code]][2:] == [
            row["verified"],
            row["passed"],
            row["failed"],
            *(row[k] for k in KINDS),
        ]
    assert by_name["Tổng cộng"][2:5] == [want["verified"], want["passed"], want["failed"]]
    assert all(isinstance(v, int) for row in rows for v in row[2:])

    _header, rows = rows_of(book["Hiệu chuẩn - Calibrated"])
    assert {(r[0], r[1]): (r[2], r[3]) for r in rows[:-1]} == want["fields"]
    assert rows[-1] == ["Tổng cộng", "Total", want["certificates"], want["calibrated_enterprises"]]

    _header, rows = rows_of(book["Lưu động - Campaigns"])
    names = dict(Campaign.objects.values_list("pk", "name"))
    assert sorted(tuple(r[5:]) for r in rows[:-1]) == sorted(want["campaigns"].values())
    assert {r[0] for r in rows[:-1]} == {names[pk] for pk in want["campaigns"]}
    assert isinstance(rows[0][3], dt.datetime)  # a real date
    assert rows[-1][5] == sum(v[0] for v in want["campaigns"].values())

    _header, rows = rows_of(book["Doanh nghiệp - Enterprises"])
    assert rows[-2][:3] == ["Hộ kinh doanh cá thể", "Individual traders", want["traders"]]
    assert rows[-1][2] == want["enterprises"] + want["traders"]
    assert sorted(tuple(r[2:]) for r in rows[:-2]) == sorted(want["sectors"].values())

    _header, rows = rows_of(book["Chuẩn - Standards"])
    assert sorted(r[0] for r in rows[:-1]) == want["standards"]
    assert rows[-1][3] == want["cost"]
    assert book["Chuẩn - Standards"]["D2"].number_format == "#,##0"

    _header, rows = rows_of(book["Kinh phí - Funding"])
    assert sum(r[1] for r in rows[:-1]) == len(want["standards"])
    assert sorted((r[1], r[2]) for r in rows[:-1]) == sorted(
        (n, int(cost)) for n, cost in want["funding"].values()
    )
    assert rows[-1][2] == want["cost"]


# --- The PDF -------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def numbers_after(text: str, label: str) -> list[int]:
    """The numbers on the first line that starts with `label` and has any (a table row in the
    layout; a chart's category names have none)."""
    for line in text.splitlines():
        if line.strip().startswith(label) and re.search(r"\d", line.strip()[len(label) :]):
            rest = line.strip()[len(label) :]
            return [int(n.replace(".", "")) for n in re.findall(r"\d[\d.]*", rest)]
    raise AssertionError(f"no line starts with {label!r}")


def test_the_pdf_prints_the_counted_figures_vietnamese_first(
    client, rita, programme, issued, withdrawn, year
):
    response = login(client, rita).get("/verification/report/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    want = expected(year)
    assert f"BÁO CÁO KẾT QUẢ HOẠT ĐỘNG ĐO LƯỜNG NĂM {year}" in text
    assert text.index("Phương tiện đo đã kiểm định") < text.index("Instruments verified")
    for t in programme_report(year, HERE).verified:
        row = want["types"][t.code]
        assert numbers_after(text, t.name_vi)[: 3 + len(KINDS)] == [
            row["verified"],
            row["passed"],
            row["failed"],
            *(row[k] for k in KINDS),
        ]
    totals = [line for line in text.splitlines() if line.strip().startswith("Tổng cộng / Total")]
    assert len(totals) == 5  # every table but the list of standards
    assert numbers_after(totals[0], "Tổng cộng / Total")[:3] == [
        want["verified"],
        want["passed"],
        want["failed"],
    ]
    assert numbers_after(totals[1], "Tổng cộng / Total") == [
        want["certificates"],
        want["calibrated_enterprises"],
    ]
    assert numbers_after(totals[3], "Tổng cộng / Total") == [
        want["enterprises"] + want["traders"],
        want["verified"],
        want["certificates"],
    ]
    assert numbers_after(totals[4], "Tổng cộng / Total") == [
        len(want["standards"]),
        int(want["cost"]),
    ]
    assert "501.250.000" in text  # the Vietnamese way of grouping thousands
    assert numbers_after(text, "Hộ kinh doanh cá thể / Individual traders")[:2] == [
        want["traders"],
        want["trader_verifications"],
    ]


def test_an_empty_report_still_renders_everywhere(client, rita):
    login(client, rita)
    assert client.get("/verification/report/").status_code == 200
    assert client.get("/verification/report/report.xlsx").status_code == 200
    response = client.get("/verification/report/report.pdf")
    assert "Không có / None" in pdf_text(response.content)


def test_its_examples_run():
    from verification import report, report_export

    assert doctest.testmod(report).failed == 0
    assert doctest.testmod(report_export).failed == 0
