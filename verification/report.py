"""The programme report for a year and a province: what the lab verified and calibrated, where
its campaigns went, whom it served and which standards it bought (báo cáo chương trình).

Compute → frozen result → render: `programme_report` returns a frozen `ProgrammeReport` made of
aggregate queries only (their number does not grow with the rows); the page, the workbook and the
PDF print it and compute nothing. What is counted:

- Verified: issued verifications (`Verification.state` issued) verified in the year in the
  province (`Verification.province`, where the instrument was verified), by instrument type (by
  its code, which stays the same across versions of the list), passed and failed, and by kind.
- Calibrated: calibration certificates issued in the year, not withdrawn, by the quantity of the
  procedure (the field: mass, pressure, temperature…). A certificate that corrects another is not
  counted again: the work was counted with the certificate it replaces. The province is the
  customer's (`Customer.province`); a customer without one is in the lab's own province
  (``settings.LAB_PROVINCE``).
- Campaigns: campaigns starting in the year in the province, with their site (market) and the
  issued verifications of each.
- Enterprises: distinct customers with at least one issued verification (in the province) or one
  certificate not withdrawn (customer in the province) in the year, by sector; stall holders
  (verifications without a customer) apart, as individual traders, counted by distinct owner.
- Standards: the lab's standards acquired in the year (whatever the province: they are the
  lab's), with their cost and funding source, and the totals per source.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate, Kind, Status
from lims.forms import is_small_number
from lims.models import Customer, Sector
from standards.models import Funding, Standard
from verification.models import Campaign, Verification, VerificationKind, VerificationState

FIRST_YEAR = 1990  # earlier is a typing mistake, not a year of the lab's records
KINDS = tuple(VerificationKind.values)

# The fields of calibration, as procedures name their quantity (in either language).
QUANTITY_WORDS = [
    ("khối lượng", "mass"),
    ("cân", "weighing"),
    ("áp suất", "pressure"),
    ("nhiệt độ", "temperature"),
    ("độ ẩm", "humidity"),
    ("dung tích", "volume"),
    ("thể tích", "volume"),
    ("lưu lượng", "flow"),
    ("độ dài", "length"),
    ("lực", "force"),
    ("điện", "electrical quantities"),
    ("thời gian", "time"),
    ("nồng độ khí", "gas concentration"),
    ("hóa lý", "physico-chemical quantities"),
]
_QUANTITIES = {
    **{en.casefold(): (vi, en) for vi, en in QUANTITY_WORDS},
    **{vi.casefold(): (vi, en) for vi, en in QUANTITY_WORDS},
}


@dataclass(frozen=True)
class TypeRow:
    """Verifications of one instrument type; `kinds` follows `KINDS`."""

    code: str
    number: str
    name_vi: str
    name_en: str
    verified: int
    passed: int
    failed: int
    kinds: tuple[int, ...]


@dataclass(frozen=True)
class FieldRow:
    """Calibration certificates of one field (the procedure's quantity)."""

    name_vi: str
    name_en: str
    certificates: int
    enterprises: int


@dataclass(frozen=True)
class CampaignRow:
    pk: int
    name: str
    site: str
    address: str
    starts_on: dt.date
    ends_on: dt.date
    verified: int
    passed: int
    failed: int


@dataclass(frozen=True)
class SectorRow:
    """Enterprises of one sector served in the year, with their verifications and calibrations."""

    sector: str
    label: str
    enterprises: int
    verifications: int
    calibrations: int


@dataclass(frozen=True)
class StandardRow:
    pk: int
    asset_number: str
    name: str
    acquired_on: dt.date
    cost: Decimal | None
    funding: str
    funding_label: str


@dataclass(frozen=True)
class FundingRow:
    funding: str
    label: str
    standards: int
    cost: Decimal


@dataclass(frozen=True)
class ProgrammeReport:
    year: int
    province: str
    lab_province: str
    verified: tuple[TypeRow, ...]
    verified_total: TypeRow
    calibrated: tuple[FieldRow, ...]
    calibrated_certificates: int
    calibrated_enterprises: int
    campaigns: tuple[CampaignRow, ...]
    markets: int
    campaign_verified: int
    sectors: tuple[SectorRow, ...]
    enterprises: int
    traders: int
    trader_verifications: int
    standards: tuple[StandardRow, ...]
    funding: tuple[FundingRow, ...]
    standards_cost: Decimal

    @property
    def is_lab_province(self) -> bool:
        return self.province == self.lab_province


# --- the choices offered, and the parameters checked ---------------------------------------------


def report_provinces() -> list[str]:
    """The provinces the data names (verifications, campaigns, customers) and the lab's own."""
    names = {settings.LAB_PROVINCE}
    names.update(Verification.objects.values_list("province", flat=True).order_by().distinct())
    names.update(Campaign.objects.values_list("province", flat=True).order_by().distinct())
    names.update(
        Customer.objects.exclude(province="")
        .values_list("province", flat=True)
        .order_by()
        .distinct()
    )
    return sorted({n.strip() for n in names if n and n.strip()}, key=str.casefold)


def report_years(today: dt.date | None = None) -> list[int]:
    """The years with any verification, certificate, campaign or standard acquired, and this
    year, newest first."""
    today = today or timezone.localdate()
    years = {today.year}
    years.update(d.year for d in Verification.objects.dates("verified_on", "year"))
    years.update(d.year for d in Campaign.objects.dates("starts_on", "year"))
    years.update(d.year for d in Standard.objects.dates("acquired_on", "year"))
    years.update(d.year for d in Certificate.objects.datetimes("issued_at", "year"))
    return sorted((y for y in years if FIRST_YEAR <= y <= today.year), reverse=True)


def report_parameters(
    year: str | None, province: str | None, *, today: dt.date | None = None
) -> tuple[int, str]:
    """The year and province asked for (``None``: this year, the lab's province), or a
    ValidationError that says what is wrong."""
    today = today or timezone.localdate()
    errors = []
    chosen_year = today.year
    if year is not None and year.strip():
        text = year.strip()
        if not is_small_number(text) or not FIRST_YEAR <= int(text) <= today.year:
            errors.append(
                _("The year must be a whole number from %(first)s to %(last)s, not “%(text)s”.")
                % {"first": FIRST_YEAR, "last": today.year, "text": text[:20]}
            )
        else:
            chosen_year = int(text)
    chosen = settings.LAB_PROVINCE
    if province is not None and province.strip():
        chosen = province.strip()
        known = report_provinces()
        if chosen not in known:
            errors.append(
                _("No record names the province “%(name)s”. Choose one of: %(known)s.")
                % {"name": chosen[:80], "known": ", ".join(known)}
            )
    if errors:
        raise ValidationError(errors)
    return chosen_year, chosen


# --- the report ----------------------------------------------------------------------------------


def _customer_in(province: str, path: str) -> Q:
    """Customers of the province; one without a province is in the lab's own."""
    q = Q(**{f"{path}__province": province})
    if province == settings.LAB_PROVINCE:
        q |= Q(**{f"{path}__province": ""})
    return q


def issued_verifications(year: int, province: str):
    return Verification.objects.filter(
        state=VerificationState.ISSUED, verified_on__year=year, province=province
    )


def counted_certificates(year: int, province: str):
    """Certificates (any kind) issued in the year to customers of the province, not withdrawn
    and not corrections of another certificate."""
    return (
        Certificate.objects.with_status()
        .filter(issued_at__year=year, calibration__replacing__isnull=True)
        .exclude(status=Status.WITHDRAWN)
        .filter(_customer_in(province, "calibration__instrument__customer"))
    )


def _verified(year: int, province: str) -> tuple[tuple[TypeRow, ...], TypeRow]:
    kind_counts = {f"n_{k}": Count("pk", filter=Q(kind=k)) for k in KINDS}
    rows = (
        issued_verifications(year, province)
        .values("instrument_type__code")
        .annotate(
            type_number=Min("instrument_type__number"),
            type_vi=Max("instrument_type__name_vi"),
            type_en=Max("instrument_type__name_en"),
            n=Count("pk"),
            n_passed=Count("pk", filter=Q(passed=True)),
            n_failed=Count("pk", filter=Q(passed=False)),
            **kind_counts,
        )
        .order_by("type_vi", "instrument_type__code")
    )
    types = tuple(
        TypeRow(
            code=r["instrument_type__code"],
            number=r["type_number"],
            name_vi=r["type_vi"],
            name_en=r["type_en"],
            verified=r["n"],
            passed=r["n_passed"],
            failed=r["n_failed"],
            kinds=tuple(r[f"n_{k}"] for k in KINDS),
        )
        for r in rows
    )
    total = TypeRow(
        code="",
        number="",
        name_vi="Tổng cộng",
        name_en="Total",
        verified=sum(t.verified for t in types),
        passed=sum(t.passed for t in types),
        failed=sum(t.failed for t in types),
        kinds=tuple(sum(t.kinds[i] for t in types) for i in range(len(KINDS))),
    )
    return types, total


def quantity_names(quantity: str) -> tuple[str, str]:
    """The field of a procedure's quantity in Vietnamese and English; as entered when unknown.

    >>> quantity_names("Mass"), quantity_names("áp suất"), quantity_names("độ nhớt")
    (('khối lượng', 'mass'), ('áp suất', 'pressure'), ('độ nhớt', 'độ nhớt'))
    """
    text = " ".join(quantity.split())
    return _QUANTITIES.get(text.casefold(), (text, text))


def _calibrated(year: int, province: str) -> tuple[tuple[FieldRow, ...], int, int]:
    calibrations = counted_certificates(year, province).filter(kind=Kind.CALIBRATION)
    quantity, customer = "calibration__procedure__quantity", "calibration__instrument__customer"
    counts = calibrations.values_list(quantity).annotate(n=Count("pk")).order_by()
    # Two spellings of one field ("mass", "khối lượng") make one row, so its enterprises are
    # counted from the distinct (quantity, customer) pairs rather than per spelling.
    pairs = calibrations.values_list(quantity, customer).order_by().distinct()
    certificates: dict[tuple[str, str], int] = {}
    for spelling, n in counts:
        key = quantity_names(spelling)
        certificates[key] = certificates.get(key, 0) + n
    customers: dict[tuple[str, str], set] = {}
    for spelling, pk in pairs:
        customers.setdefault(quantity_names(spelling), set()).add(pk)
    fields = tuple(
        sorted(
            (
                FieldRow(
                    name_vi=key[0],
                    name_en=key[1],
                    certificates=n,
                    enterprises=len(customers.get(key, ())),
                )
                for key, n in certificates.items()
            ),
            key=lambda f: (-f.certificates, f.name_vi),
        )
    )
    everyone = set().union(*customers.values()) if customers else set()
    return fields, sum(certificates.values()), len(everyone)


def _campaigns(year: int, province: str) -> tuple[CampaignRow, ...]:
    issued = Q(verifications__state=VerificationState.ISSUED)
    rows = (
        Campaign.objects.filter(starts_on__year=year, province=province)
        .annotate(
            n_verified=Count("verifications", filter=issued),
            n_passed=Count("verifications", filter=issued & Q(verifications__passed=True)),
            n_failed=Count("verifications", filter=issued & Q(verifications__passed=False)),
        )
        .order_by("starts_on", "pk")
    )
    return tuple(
        CampaignRow(
            pk=c.pk,
            name=c.name,
            site=c.site,
            address=c.address,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            verified=c.n_verified,
            passed=c.n_passed,
            failed=c.n_failed,
        )
        for c in rows
    )


def _sectors(year: int, province: str) -> tuple[tuple[SectorRow, ...], int, int]:
    verifications = issued_verifications(year, province)
    certificates = counted_certificates(year, province)
    served = Customer.objects.filter(
        Q(pk__in=verifications.filter(customer__isnull=False).values("customer"))
        | Q(pk__in=certificates.values("calibration__instrument__customer"))
    )
    enterprises = dict(served.values_list("sector").annotate(n=Count("pk")))
    verified = dict(
        verifications.filter(customer__isnull=False)
        .values_list("customer__sector")
        .annotate(n=Count("pk"))
    )
    calibrated = dict(
        certificates.filter(kind=Kind.CALIBRATION)
        .values_list("calibration__instrument__customer__sector")
        .annotate(n=Count("pk"))
    )
    rows = tuple(
        SectorRow(
            sector=sector.value,
            label=str(sector.label),
            enterprises=enterprises.get(sector.value, 0),
            verifications=verified.get(sector.value, 0),
            calibrations=calibrated.get(sector.value, 0),
        )
        for sector in Sector
        if enterprises.get(sector.value)
    )
    traders = verifications.filter(customer__isnull=True).aggregate(
        owners=Count("owner", distinct=True), n=Count("pk")
    )
    return rows, traders["owners"], traders["n"]


def _standards(year: int) -> tuple[tuple[StandardRow, ...], tuple[FundingRow, ...]]:
    labels = dict(Funding.choices)
    not_stated = _("Not stated")
    standards = tuple(
        StandardRow(
            pk=s.pk,
            asset_number=s.asset_number,
            name=s.name,
            acquired_on=s.acquired_on,
            cost=s.acquisition_cost,
            funding=s.funding_source,
            funding_label=str(labels.get(s.funding_source, not_stated)),
        )
        for s in Standard.objects.filter(acquired_on__year=year).order_by(
            "acquired_on", "asset_number"
        )
    )
    sums = {
        r["funding_source"]: r
        for r in Standard.objects.filter(acquired_on__year=year)
        .values("funding_source")
        .annotate(n=Count("pk"), cost=Sum("acquisition_cost"))
    }
    order = [*Funding.values, ""]
    funding = tuple(
        FundingRow(
            funding=key,
            label=str(labels.get(key, not_stated)),
            standards=sums[key]["n"],
            cost=sums[key]["cost"] or Decimal(0),
        )
        for key in sorted(sums, key=lambda k: order.index(k) if k in order else len(order))
    )
    return standards, funding


def programme_report(year: int, province: str) -> ProgrammeReport:
    """Every figure of the report for `year` and `province`, by aggregate queries."""
    verified, verified_total = _verified(year, province)
    calibrated, certificates, calibrated_customers = _calibrated(year, province)
    campaigns = _campaigns(year, province)
    sectors, traders, trader_verifications = _sectors(year, province)
    standards, funding = _standards(year)
    return ProgrammeReport(
        year=year,
        province=province,
        lab_province=settings.LAB_PROVINCE,
        verified=verified,
        verified_total=verified_total,
        calibrated=calibrated,
        calibrated_certificates=certificates,
        calibrated_enterprises=calibrated_customers,
        campaigns=campaigns,
        markets=len({" ".join(c.site.split()).casefold() for c in campaigns}),
        campaign_verified=sum(c.verified for c in campaigns),
        sectors=sectors,
        enterprises=sum(s.enterprises for s in sectors),
        traders=traders,
        trader_verifications=trader_verifications,
        standards=standards,
        funding=funding,
        standards_cost=sum((f.cost for f in funding), Decimal(0)),
    )
