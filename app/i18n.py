"""The service's languages (the web app's strings, the embed card's verdict chip and link): gettext
catalogues read with Babel, one `.po` file per language. Pure: it reads its own files only, on
first use. Messages themselves are made in `app.messages`, which the schema.org modules use.

`app/locales/<lang>/LC_MESSAGES/messages.po` is read and compiled in memory at start-up, so
a new language is a new file (see `make messages`). English is the source language."""

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

# Messages are made in app.messages (pure, without Babel), and read here.
from app.messages import FIELD_MESSAGE as FIELD_MESSAGE
from app.messages import N_ as N_
from app.messages import Message as Message
from app.messages import at_field as at_field
from app.messages import joined as joined

LOCALES = Path(__file__).parent / "locales"
SOURCE_LANGUAGE = "en"


# The normalised verdicts (app.rules.verdicts.Verdict), as readers are shown them.
VERDICT_LABELS = {
    "false": N_("False"),
    "mostly_false": N_("Mostly false"),
    "mixed": N_("Mixed"),
    "mostly_true": N_("Mostly true"),
    "true": N_("True"),
    "misleading": N_("Misleading"),
    "unproven": N_("Unproven"),
    "satire": N_("Satire"),
    "other": N_("Other"),
}


def _compile(po: Path) -> Translations:
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parents[1].name)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@cache
def catalogues() -> dict[str, NullTranslations]:
    found: dict[str, NullTranslations] = {SOURCE_LANGUAGE: NullTranslations()}
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        found[po.parents[1].name] = _compile(po)
    return found


def languages() -> list[str]:
    return sorted(catalogues())


def base_language(tag: str | None) -> str | None:
    """The catalogue for a BCP 47 tag (`fr-CA` -> `fr`), or None when there is none."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in catalogues() else None


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header (RFC 9110 weights)."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = base_language(tag)
        if language is not None and weight > 0:
            choices.append((-weight, position, language))
    return min(choices)[2] if choices else SOURCE_LANGUAGE


def translator(language: str) -> NullTranslations:
    return catalogues().get(language) or catalogues()[SOURCE_LANGUAGE]


# The embed card's link to the article.
READ_THE_FACT_CHECK = N_("Read the fact-check")


def in_language(message: str, language: str) -> str:
    """A message in a review's language (BCP 47), from the same catalogues as the web app, so
    that a card reads in one language; English when the language has no catalogue."""
    return translator(base_language(language) or SOURCE_LANGUAGE).gettext(message)


def translate(message: str, language: str) -> str:
    """A message in a language of ours: a Message from its id, its parameters filled in
    (translated too when they are Messages), any other string looked up as it is. A
    translation that names a parameter its id lacks is not used: the English text is."""
    translations = translator(language)
    if not isinstance(message, Message):
        return translations.gettext(message)
    params = {
        name: translate(value, language) if isinstance(value, Message) else value
        for name, value in message.params.items()
    }
    try:
        return translations.gettext(message.msgid).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(message)


def verdict_label(verdict: str, language: str) -> str:
    """A normalised verdict (`mostly_false`) in a review's language."""
    return in_language(VERDICT_LABELS.get(verdict, VERDICT_LABELS["other"]), language)
