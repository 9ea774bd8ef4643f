"""The chain of one standard to the SI on a given day, link by link, and where it breaks.

standard (in service that day) → its incoming certificate in force → the provider (an NMI, or a lab
whose accreditation was valid that day) → the provider's standard where the certificate names it →
the national standard with its CMC → the SI unit. Every calibration result of ours rests on such
chains; the gate that lets a standard be used is "its chain holds on the measurement date".
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from standards.models import Standard, StandardCalibration, StandardStatus


def _day(value: dt.date) -> str:
    return date_format(value, "d/m/Y")


@dataclass(frozen=True)
class Link:
    kind: str  # standard, certificate, provider, provider_standard, national_standard, si
    title: str
    detail: str = ""
    problem: str = ""
    code: str = ""

    @property
    def holds(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Chain:
    standard: Standard
    on: dt.date
    certificate: StandardCalibration | None
    links: tuple[Link, ...] = field(default_factory=tuple)

    @property
    def problems(self) -> list[Link]:
        return [link for link in self.links if not link.holds]

    @property
    def holds(self) -> bool:
        return not self.problems and bool(self.links) and self.links[-1].kind == "si"


def status_on(
    standard: Standard, day: dt.date, *, as_loaded: bool = False
) -> tuple[str, dt.datetime | None]:
    """The standard's status at the end of `day`, and since when it had it, from its history.

    A standard registered after `day` (the demo, an import of old records) is taken with the
    status it was registered with.
    """
    if as_loaded and day >= timezone.localdate() and standard.status == StandardStatus.IN_SERVICE:
        return standard.status, None  # just read, and no later change can be on record yet
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    snapshots = list(
        standard.history.filter(history_date__lt=end)
        .order_by("-history_date", "-history_id")
        .values_list("status", "history_date")
    )
    if not snapshots:
        first = standard.history.order_by("history_date", "history_id").values_list(
            "status", "history_date"
        )[:1]
        snapshots = list(first)
    if not snapshots:
        return standard.status, None
    status, since = snapshots[0]
    for earlier_status, earlier_date in snapshots[1:]:
        if earlier_status != status:
            break
        since = earlier_date
    return status, since


def chain_of(
    standard: Standard,
    on: dt.date,
    used: StandardCalibration | None = None,
    *,
    as_loaded: bool = False,
) -> Chain:
    """The chain of `standard` on `on`: through the certificate in force that day, or through the
    certificate a result `used`, which must then have been in force that day and still be current.

    `as_loaded` lets a page that has just read the standards take their status as today's
    without reading each one's history; the gates never do, since a caller's copy may be stale.
    """
    links: list[Link] = []
    status, since = status_on(standard, on, as_loaded=as_loaded)
    problem = ""
    if status != StandardStatus.IN_SERVICE:
        problem = _("Standard %(standard)s has been %(status)s since %(since)s.") % {
            "standard": standard,
            "status": StandardStatus(status).label.lower(),
            "since": _day(timezone.localtime(since).date()) if since else "?",
        }
    links.append(
        Link(
            "standard",
            str(standard),
            " · ".join(p for p in (standard.grade, standard.serial_number) if p),
            problem,
            "status" if problem else "",
        )
    )
    if used is not None:
        return _chain_through(standard, on, used, links)
    certificate = standard.calibration_on(on)
    if certificate is None:
        latest = standard.latest_calibration_by(on)
        if latest is None:
            problem, code = (
                _("Standard %(standard)s had no calibration on %(day)s.")
                % {"standard": standard, "day": _day(on)},
                "uncalibrated",
            )
        else:
            problem, code = (
                _(
                    "Standard %(standard)s is overdue: its calibration %(certificate)s was due on %(due)s."
                )
                % {
                    "standard": standard,
                    "certificate": latest.certificate_number,
                    "due": _day(latest.due_on),
                },
                "overdue",
            )
        links.append(Link("certificate", _("No certificate in force"), "", problem, code))
        return Chain(standard, on, None, tuple(links))

    return _chain_through(standard, on, certificate, links)


def _chain_through(
    standard: Standard, on: dt.date, certificate: StandardCalibration, links: list[Link]
) -> Chain:
    problem, code = "", ""
    if not certificate.calibrated_on <= on <= certificate.due_on:
        problem, code = (
            _(
                "Certificate %(certificate)s of standard %(standard)s was not in force on %(day)s: it covers %(calibrated)s to %(due)s."
            )
            % {
                "certificate": certificate.certificate_number,
                "standard": standard,
                "day": _day(on),
                "calibrated": _day(certificate.calibrated_on),
                "due": _day(certificate.due_on),
            },
            "overdue" if on > certificate.due_on else "uncalibrated",
        )
    elif not certificate.is_current:
        problem, code = (
            _(
                "Certificate %(certificate)s of standard %(standard)s has been replaced by %(replacement)s: %(reason)s"
            )
            % {
                "certificate": certificate,
                "standard": standard,
                "replacement": certificate.replaced_by,
                "reason": certificate.replaced_by.replacement_reason,
            },
            "replaced",
        )
    links.append(
        Link(
            "certificate",
            _("Certificate %(number)s") % {"number": certificate},
            _("calibrated on %(calibrated)s, due on %(due)s")
            % {"calibrated": _day(certificate.calibrated_on), "due": _day(certificate.due_on)},
            problem,
            code,
        )
    )
    provider = certificate.provider
    if provider.is_nmi:
        links.append(Link("provider", provider.name, _("national metrology institute")))
    elif not provider.accreditation_number:
        links.append(
            Link(
                "provider",
                provider.name,
                "",
                _(
                    "Provider %(provider)s has no accreditation on record, so its certificate %(certificate)s gives no traceability."
                )
                % {"provider": provider, "certificate": certificate.certificate_number},
                "accreditation",
            )
        )
    elif provider.accreditation_valid_until and provider.accreditation_valid_until < on:
        links.append(
            Link(
                "provider",
                provider.name,
                provider.accreditation,
                _(
                    "The accreditation %(accreditation)s of provider %(provider)s expired on %(until)s."
                )
                % {
                    "accreditation": provider.accreditation,
                    "provider": provider,
                    "until": _day(provider.accreditation_valid_until),
                },
                "accreditation",
            )
        )
    else:
        links.append(Link("provider", provider.name, provider.accreditation))
    if certificate.provider_standard:
        links.append(Link("provider_standard", certificate.provider_standard))
    national = certificate.national_standard
    if national is None:
        links.append(
            Link(
                "national_standard",
                _("National standard not known"),
                "",
                _(
                    "Certificate %(certificate)s of standard %(standard)s names no national standard, so its chain to the SI is not known."
                )
                % {"certificate": certificate.certificate_number, "standard": standard},
                "national",
            )
        )
        return Chain(standard, on, certificate, tuple(links))
    links.append(
        Link(
            "national_standard",
            str(national),
            _("CMC %(cmc)s") % {"cmc": national.cmc}
            + (f" · {national.kcdb_reference}" if national.kcdb_reference else ""),
        )
    )
    links.append(Link("si", national.si_unit, _("International System of Units (SI)")))
    return Chain(standard, on, certificate, tuple(links))
