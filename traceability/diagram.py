"""A traceability chain drawn as SVG: one box per link, top (our result) to bottom (the SI).

Plain SVG 1.1 with explicit attributes, so it shows the same on a page, printed, and in a PDF
rendered by WeasyPrint. A link that does not hold is drawn with a red double border and its
problem under it, so the break shows in black and white too.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 560
BOX_HEIGHT = 46
GAP = 22
PROBLEM_LINE = 14
FONT = "DejaVu Sans, sans-serif"
CHARS_PER_LINE = 86


@dataclass(frozen=True)
class Box:
    kind: str
    caption: str  # what the link is, in the page's language: "Standard", "National standard"…
    title: str
    detail: str = ""
    problem: str = ""


def _wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def chain_svg(boxes: Sequence[Box], *, title: str) -> str:
    parts = []
    y = 8
    for index, box in enumerate(boxes):
        broken = bool(box.problem)
        stroke = "#b3261e" if broken else "#1f5f8b"
        fill = "#fdecea" if broken else "#eef5fb"
        parts.append(
            f'<rect x="8" y="{y}" width="{WIDTH - 16}" height="{BOX_HEIGHT}" rx="5" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if broken else 1.2}"'
            + (' stroke-dasharray="6 3"' if broken else "")
            + f' class="link {box.kind}{" broken" if broken else ""}"/>'
        )
        parts.append(
            f'<text x="18" y="{y + 16}" font-size="10" fill="#555">{escape(box.caption)}</text>'
        )
        parts.append(
            f'<text x="18" y="{y + 31}" font-size="12.5" font-weight="bold" fill="#111">'
            f"{escape(_clip(box.title, 70))}</text>"
        )
        if box.detail:
            parts.append(
                f'<text x="18" y="{y + 43}" font-size="10" fill="#333">'
                f"{escape(_clip(box.detail, 95))}</text>"
            )
        y += BOX_HEIGHT
        if broken:
            for line in _wrap("✗ " + box.problem):
                y += PROBLEM_LINE
                parts.append(
                    f'<text x="18" y="{y - 2}" font-size="10.5" fill="#b3261e" class="problem">'
                    f"{escape(line)}</text>"
                )
        if index < len(boxes) - 1:
            mid = WIDTH // 2
            parts.append(
                f'<path d="M{mid} {y + 3} V{y + GAP - 5}" stroke="#444" stroke-width="1.5" fill="none"/>'
                f'<path d="M{mid - 5} {y + GAP - 9} L{mid} {y + GAP - 2} L{mid + 5} {y + GAP - 9} Z" fill="#444"/>'
            )
            y += GAP
    height = y + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="{FONT}">'
        f"<title>{escape(title)}</title>" + "".join(parts) + "</svg>"
    )
