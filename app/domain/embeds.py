"""Embeds for CMSes: the JSON-LD snippet, the HTML card and oEmbed. Every text is escaped for
the context it lands in (a <script> body, HTML text, an HTML attribute)."""

import base64
import hashlib
import html
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from app.i18n import READ_THE_FACT_CHECK, in_language, verdict_label
from app.rules.verdicts import Verdict

# JSON may hold "<", ">" and "&" only inside strings, where \\u escapes mean the same: so no
# text can close the <script> element or open a comment. U+2028/2029 for old JS parsers.
_SCRIPT_SAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def snippet(document: bytes) -> str:
    body = document.decode("utf-8").translate(_SCRIPT_SAFE)
    return f'<script type="application/ld+json">{body}</script>\n'


# The chip's colour; its word comes from the message catalogues, in the review's language.
VERDICT_COLOUR: dict[Verdict, str] = {
    Verdict.FALSE: "#b3261e",
    Verdict.MOSTLY_FALSE: "#c2410c",
    Verdict.MISLEADING: "#b45309",
    Verdict.MIXED: "#a16207",
    Verdict.MOSTLY_TRUE: "#4d7c0f",
    Verdict.TRUE: "#15803d",
    Verdict.UNPROVEN: "#475569",
    Verdict.SATIRE: "#7e22ce",
    Verdict.OTHER: "#475569",
}

CARD_CSS = (
    "body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#1f2937;background:#fff}"
    ".card{border:1px solid #d1d5db;border-radius:8px;padding:14px 16px;max-width:560px}"
    ".claim{margin:0 0 10px;font-size:17px}"
    "p{overflow-wrap:anywhere}"
    ".verdict{display:inline-block;color:#fff;border-radius:4px;padding:2px 8px;font-weight:600}"
    ".label{margin-left:8px;font-style:italic}"
    ".meta{margin-top:10px;font-size:13px;color:#4b5563}"
    "a{color:#1d4ed8}"
    + "".join(
        f".v-{verdict.value}{{background:{colour}}}" for verdict, colour in VERDICT_COLOUR.items()
    )
)
_CSS_HASH = base64.b64encode(hashlib.sha256(CARD_CSS.encode()).digest()).decode()
# Nothing may load or run: no scripts at all, only the one inline style (by its hash).
CARD_CSP = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class CardData:
    review_id: int
    claim: str
    claim_language: str
    verdict: Verdict
    label: str
    headline: str | None
    review_url: str
    review_language: str
    publisher: str
    date_published: datetime | None


def card(data: CardData, oembed_href: str, jsonld: bytes) -> str:
    """The card's page; its head carries the review's ClaimReview (the same block as the
    snippet), so a CMS that embeds the card gives search engines the markup too."""
    word = verdict_label(data.verdict.value, data.review_language)
    read = in_language(READ_THE_FACT_CHECK, data.review_language)
    e = html.escape
    date = f"{data.date_published:%Y-%m-%d}" if data.date_published else ""
    return f"""<!doctype html>
<html lang="{e(data.review_language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(data.headline or data.claim)}</title>
<link rel="alternate" type="application/json+oembed" href="{e(oembed_href)}" title="oEmbed">
<style>{CARD_CSS}</style>
{snippet(jsonld)}</head>
<body>
<article class="card">
<p class="claim" lang="{e(data.claim_language)}" dir="auto">{e(data.claim)}</p>
<p><span class="verdict v-{data.verdict.value}">{e(word)}</span>\
<span class="label" dir="auto">{e(data.label)}</span></p>
<p class="meta"><span dir="auto">{e(data.publisher)}</span>{" · " + e(date) if date else ""} · \
<a href="{e(data.review_url)}" target="_blank" rel="noopener noreferrer">{e(read)}</a></p>
</article>
</body>
</html>
"""


def oembed_href(public_url: str, embed_url: str) -> str:
    return f"{public_url}/oembed?format=json&url={quote(embed_url, safe='')}"


def iframe(embed_url: str, width: int, height: int, title: str) -> str:
    e = html.escape
    return (
        f'<iframe src="{e(embed_url)}" width="{width}" height="{height}" title="{e(title)}" '
        'style="border:0" sandbox="allow-popups allow-popups-to-escape-sandbox" '
        'loading="lazy"></iframe>'
    )


# The card's height at a width, for oEmbed (the card runs no script, so it cannot tell its host
# its height). The layout is CARD_CSS's: 1 px border and 14 px padding around three paragraphs,
# the claim at 17 px, the verdict line at 15 px (its chip 4 px taller) and the meta line at
# 13 px, each line 1.4 em, 15 px between paragraphs and 13 px under the last. Lines are counted
# by wrapping the words greedily with generous glyph widths (in em: the widest common sans-serif
# faces, DejaVu Sans among them, set Latin text narrower), so the estimate errs on the tall
# side: measured in Chromium (tests/browser/test_embeds_in_chromium.py), the link to the
# fact-check stays inside the frame from 200 to 800 px.
CARD_WIDEST = 560 + 2 * 16 + 2  # .card's max-width, padding and border
_FIXED_HEIGHT = 2 + 2 * 14 + 15 + 15 + 13 + 4  # border, padding, gaps between and under, chip
_SLACK = 12  # rounding of line boxes and fonts wider than the estimate


def _em(char: str) -> float:
    if unicodedata.east_asian_width(char) in "WF":
        return 1.05
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if ord(char) >= 0x1F000:  # emoji and pictographs
        return 1.3
    if char in "MWmw@%&":
        return 1.0
    if char.isupper() or char.isdigit() or ord(char) > 0x24F:  # capitals, non-Latin scripts
        return 0.8
    if char in "iljtfr.,;:'!|() ":
        return 0.42
    if not char.isalpha():  # symbols: < > = " / and the like are wide
        return 0.84
    return 0.64


def _lines(text: str, font_px: float, width_px: float) -> int:
    """Lines of `text` wrapped greedily at spaces (and anywhere within a word too long for a
    line, as overflow-wrap:anywhere does) in a box `width_px` wide."""
    space = _em(" ") * font_px
    lines, used = 1, 0.0
    for word in text.split():
        advance = sum(_em(c) for c in word) * font_px
        if not any(unicodedata.east_asian_width(c) in "WF" for c in word):
            needed = advance if used == 0 else used + space + advance
            if needed <= width_px:
                used = needed
                continue
            if used > 0:
                lines, used = lines + 1, 0.0
            while advance > width_px:  # a word longer than a line breaks anywhere
                lines, advance = lines + 1, advance - width_px
            used = advance
            continue
        # Text without spaces between words (Chinese, Japanese) breaks between any characters.
        if used > 0:
            used += space
        for char in word:
            glyph = _em(char) * font_px
            if used + glyph > width_px and used > 0:
                lines, used = lines + 1, 0.0
            used += glyph
    return lines


def card_height(data: CardData, width: int) -> int:
    """The card's height in CSS pixels when shown `width` pixels wide."""
    inner = max(min(width, CARD_WIDEST) - 2 * 16 - 2, 40)
    word = verdict_label(data.verdict.value, data.review_language)
    date = f" · {data.date_published:%Y-%m-%d}" if data.date_published else ""
    claim = _lines(data.claim, 17, inner) * 17 * 1.4
    # The chip's padding (8 px each side) and the label's 8 px margin take width too.
    verdict = _lines(f"{word} {data.label}", 15, inner - 24) * 15 * 1.4
    read = in_language(READ_THE_FACT_CHECK, data.review_language)
    meta = _lines(f"{data.publisher}{date} · {read}", 13, inner) * 13 * 1.4
    return math.ceil(_FIXED_HEIGHT + claim + verdict + meta + _SLACK)
