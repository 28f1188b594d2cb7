"""Language of a text from a packaged, offline identifier (py3langid: a naive Bayes model over
byte n-grams, shipped inside the package)."""

from functools import cache
from typing import Any

# Languages fact-checkers publish in. Fewer candidates make short texts far more reliable
# (with all 97, a short English headline can come out as Latin).
CANDIDATES = frozenset(
    """
    af am ar az be bg bn bs ca cs cy da de el en es et eu fa fi fr ga gl gu he hi hr hu hy id
    is it ja ka kk km kn ko lt lv mk ml mn mr ms my ne nl no pa pl ps pt ro ru si sk sl sq sr
    sv sw ta te th tl tr uk ur uz vi zh zu
    """.split()  # noqa: SIM905 - a list literal of 73 codes reads worse
)


@cache
def _identifier() -> Any:
    # Loaded on first use (about a second), not at start-up.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(sorted(CANDIDATES))
    return identifier


def detect_language(*texts: str | None) -> str:
    """A BCP 47 primary tag such as "fr"; "und" (undetermined) when there is nothing to go on."""
    text = " ".join(t for t in texts if t)
    if not any(c.isalpha() for c in text):
        return "und"
    language, _score = _identifier().classify(text)
    return str(language)
