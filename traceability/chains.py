"""The chain from each calibration result to the SI, and whether it held on the calibration's date.

Each measurement point records its reference value, which belongs to one incoming certificate of
one standard: that is the point's own chain (standards.chain). Standards used beside the points
(a thermometer for the air, a barometer) have theirs through the certificate in force that day.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from calibration.models import Calibration, MeasurementPoint
from calibration.workflow import chain_refusals
from standards.chain import Chain, chain_of


@dataclass(frozen=True)
class PointChain:
    points: tuple[MeasurementPoint, ...]
    chain: Chain


def chain_for(calibration: Calibration) -> list[Chain]:
    """One chain per standard used, through the certificate the calibration recorded for it."""
    uses = calibration.standard_uses.select_related(
        "standard", "standard_calibration__provider", "standard_calibration__national_standard"
    ).order_by("standard__asset_number")
    return [
        chain_of(use.standard, calibration.performed_on, use.standard_calibration) for use in uses
    ]


def point_chains(calibration: Calibration) -> list[PointChain]:
    """The chains the points rest on, each with the points that share it, in point order."""
    grouped: dict[int, list[MeasurementPoint]] = {}
    certificates = {}
    points = calibration.points.select_related(
        "reference__calibration__standard",
        "reference__calibration__provider",
        "reference__calibration__national_standard",
    ).order_by("position")
    for point in points:
        certificate = point.reference.calibration
        grouped.setdefault(certificate.pk, []).append(point)
        certificates[certificate.pk] = certificate
    return [
        PointChain(
            tuple(group),
            chain_of(certificates[pk].standard, calibration.performed_on, certificates[pk]),
        )
        for pk, group in grouped.items()
    ]


def chain_problems(calibration: Calibration) -> list[str]:
    if not calibration.standard_uses.exists():
        return [_("The calibration names no standard, so its result has no traceability.")]
    return chain_refusals(calibration)


def statement(chains: list[Chain]) -> dict[str, str]:
    """The traceability statement printed on a certificate, in Vietnamese and English."""
    providers = sorted(
        {chain.certificate.provider for chain in chains if chain.certificate},
        key=lambda p: p.short_name,
    )
    names = ", ".join(p.short_name for p in providers)
    vi = "; ".join(dict.fromkeys(p.traceable_to_vi for p in providers))
    en = "; ".join(dict.fromkeys(p.traceable_to_en for p in providers))
    return {
        "vi": f"Các chuẩn đo lường sử dụng được hiệu chuẩn tại {names}; kết quả hiệu chuẩn được liên kết chuẩn tới {vi}.",
        "en": f"The standards used were calibrated by {names}; the results are metrologically traceable to {en}.",
    }
