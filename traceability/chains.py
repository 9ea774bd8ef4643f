"""The chain from a calibration result to the SI, and whether it holds on the calibration's date.

A link is one step: our result rests on a standard; the standard rests on a certificate of a
provider, valid on the day; the provider rests on the national standards (VMI), which realise the
SI. A chain is broken when a standard had no certificate in force on the day.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from calibration.models import Calibration
from standards.services import StandardNotUsable, standard_check_usable


@dataclass(frozen=True)
class Link:
    standard: object
    certificate: object
    provider: object
    problem: str = ""

    @property
    def holds(self) -> bool:
        return not self.problem


def chain_for(calibration: Calibration) -> list[Link]:
    links = []
    uses = calibration.standard_uses.select_related(
        "standard", "standard_calibration__provider"
    ).order_by("standard__asset_number")
    for use in uses:
        problem = ""
        try:
            standard_check_usable(standard=use.standard, on=calibration.performed_on)
        except StandardNotUsable as refusal:
            problem = " ".join(refusal.messages)
        links.append(
            Link(
                standard=use.standard,
                certificate=use.standard_calibration,
                provider=use.standard_calibration.provider,
                problem=problem,
            )
        )
    return links


def chain_problems(calibration: Calibration) -> list[str]:
    links = chain_for(calibration)
    if not links:
        return [_("The calibration names no standard, so its result has no traceability.")]
    return [link.problem for link in links if not link.holds]


def statement(links: list[Link]) -> dict[str, str]:
    """The traceability statement printed on a certificate, in Vietnamese and English."""
    providers = sorted({link.provider for link in links}, key=lambda p: p.short_name)
    names = ", ".join(p.short_name for p in providers)
    vi = "; ".join(dict.fromkeys(p.traceable_to_vi for p in providers))
    en = "; ".join(dict.fromkeys(p.traceable_to_en for p in providers))
    return {
        "vi": f"Các chuẩn đo lường sử dụng được hiệu chuẩn tại {names}; kết quả hiệu chuẩn được liên kết chuẩn tới {vi}.",
        "en": f"The standards used were calibrated by {names}; the results are metrologically traceable to {en}.",
    }
