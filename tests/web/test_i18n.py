"""The web app's catalogues: every string translated, languages negotiated, verdicts named."""

import string
from pathlib import Path
from typing import ClassVar

import orjson
import pytest
from babel.messages.pofile import read_po

from app import i18n
from app.rules.verdicts import Verdict

LOCALES = Path(i18n.__file__).parent / "locales"


class TestCatalogues:
    def test_french_is_found_from_its_po_file(self) -> None:
        assert i18n.languages() == ["en", "fr"]

    @pytest.mark.parametrize("po", sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")), ids=str)
    def test_every_extracted_string_is_translated(self, po: Path) -> None:
        with (LOCALES / "messages.pot").open("rb") as source:
            template = {m.id for m in read_po(source) if m.id}
        with po.open("rb") as source:
            catalogue = {m.id: m for m in read_po(source) if m.id}
        assert template - set(catalogue) == set(), "run `make messages` and translate"
        untranslated = [m.id for m in catalogue.values() if not m.string or m.fuzzy]
        assert untranslated == []

    def test_api_md_labels_are_in_the_catalogue(self) -> None:
        french = i18n.translator("fr")
        for label in ("API key", "Sign in", "New fact-check", "Claim", "Claim language",
                      "Claimant", "Claim date", "Where the claim appeared", "Article URL",
                      "Headline", "Verdict", "Rating value", "Best rating", "Worst rating",
                      "Summary", "Save draft", "Publish", "Retract"):  # fmt: skip
            assert french.gettext(label) != label or label in ("Verdict",)


class TestNegotiation:
    @pytest.mark.parametrize(
        ("header", "language"),
        [
            (None, "en"),
            ("", "en"),
            ("fr", "fr"),
            ("fr-CA", "fr"),
            ("de, fr;q=0.8, en;q=0.5", "fr"),
            ("en;q=0.4, fr;q=0.9", "fr"),
            ("fr;q=0, en", "en"),
            ("de, it", "en"),
            ("fr;q=bad, en;q=0.1", "en"),
        ],
    )
    def test_accept_language(self, header: str | None, language: str) -> None:
        assert i18n.negotiate(header) == language


class TestVerdictLabel:
    def test_every_verdict_has_a_label(self) -> None:
        assert set(i18n.VERDICT_LABELS) == {v.value for v in Verdict}

    @pytest.mark.parametrize(
        ("verdict", "language", "label"),
        [
            ("false", "fr", "Faux"),
            ("mostly_false", "fr-FR", "Plutôt faux"),
            ("misleading", "fr", "Trompeur"),
            ("true", "fr", "Vrai"),
            ("mostly_false", "en", "Mostly false"),
            ("unproven", "en-GB", "Unproven"),
            ("satire", "de", "Satire"),  # no German catalogue: English
            ("false", "zz", "False"),
        ],
    )
    def test_in_the_reviews_language(self, verdict: str, language: str, label: str) -> None:
        assert i18n.verdict_label(verdict, language) == label

    def test_an_unknown_verdict_is_other(self) -> None:
        assert i18n.verdict_label("nonsense", "fr") == "Autre"


class TestMessages:
    @pytest.mark.parametrize("po", sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")), ids=str)
    def test_every_translation_names_only_its_messages_parameters(self, po: Path) -> None:
        with po.open("rb") as source:
            catalogue = [m for m in read_po(source) if m.id and m.string]
        fields = string.Formatter()
        for message in catalogue:
            given = {name for _, name, _, _ in fields.parse(str(message.id)) if name}
            used = {name for _, name, _, _ in fields.parse(str(message.string)) if name}
            assert used <= given, message.id

    def test_a_message_is_its_english_text(self) -> None:
        message = i18n.Message("No review {id}.", id=7)
        assert message == "No review 7."
        assert orjson.dumps({"detail": message}) == b'{"detail":"No review 7."}'

    def test_a_message_and_its_parameters_in_french(self) -> None:
        reason = i18n.Message(
            "{host} is not a site of '{publisher}'", host="a.example", publisher="p"
        )
        message = i18n.at_field("url", reason)
        assert i18n.translate(message, "fr") == "url : a.example n’est pas un site de « p »"
        assert i18n.translate(message, "en") == "url: a.example is not a site of 'p'"

    def test_a_message_without_a_translation_stays_english(self) -> None:
        assert (
            i18n.translate(i18n.Message("Nothing like {this}", this="x"), "fr") == "Nothing like x"
        )


class TestSchemaOrgMessages:
    """Google's rules and the parser's reasons are Messages of the catalogue, whatever the
    markup: a French reader never meets one that was left out."""

    DOCUMENTS: ClassVar[list[object]] = [
        [],
        {"claimReviewed": "x"},
        {"@context": "https://example.org", "@type": "Thing", "claimReviewed": 3},
        {
            "@type": "ClaimReview",
            "url": "ftp://x",
            "claimReviewed": ["False: one", "two " * 30],
            "reviewRating": {"alternateName": "x" * 101, "ratingValue": "7", "bestRating": 2,
                             "worstRating": 0, "@type": "Rating"},
            "author": [{"@type": "Person"}, "text"],
            "datePublished": "2024-02-30",
            "dateModified": "2024-01-01 10:00",
            "itemReviewed": {"appearance": ["nope", {"url": 1, "archivedAt": "x"}],
                             "datePublished": "yesterday"},
        },
        {"@type": "ClaimReview", "url": "https://a.example/1", "reviewRating": [],
         "itemReviewed": "a claim"},
        {"@type": "ClaimReview", "url": "https://a.example/1", "claimReviewed": "c",
         "reviewRating": {"ratingValue": -1, "bestRating": -1, "worstRating": -1}},
        {"claims": [{"claimReview": [{"url": "x", "reviewDate": "nope"}]}]},
    ]  # fmt: skip

    def test_every_finding_and_reason_is_translated(self) -> None:
        from app.claimreview.parse import extract
        from app.claimreview.validate import validate

        french = i18n.translator("fr")
        seen: list[i18n.Message] = []

        def each(message: object) -> None:
            assert isinstance(message, i18n.Message), message
            seen.append(message)
            assert french.gettext(message.msgid) != message.msgid, message.msgid
            for value in message.params.values():
                if isinstance(value, i18n.Message):
                    each(value)

        for document in self.DOCUMENTS:
            report = validate(document)
            for finding in (*report.errors, *report.warnings):
                each(finding.message)
            for record in extract(document):
                if record.error:
                    each(record.error)
        assert len({m.msgid for m in seen}) > 30


class TestURLMessages:
    """Every reason normalize_url gives for refusing a URL (app.rules.urls.InvalidURL) is a
    Message of the catalogue: the API sends its English, the web app shows it translated."""

    REFUSED: ClassVar[list[object]] = [
        "", "javascript:alert(1)", "/noticias/x", "noticias/x", "desk@example.com", "http://",
        "http:example.com", "http://exa mple.com/", "http://localhost/", "index.html",
        "http://index.html/", ":8080/x",
        "http://999.1.1.1/", "http://[::g]/", "http://[::1/", "http://[::1]x/",
        "http://[fe80::1%25eth0]/", "http://xn--zz.com/", "http://☃☃\u0000.com/",
        "http://example.com:http/", "http://example.com:99999/", "https://example.com/a\tb",
        "https://example.com/\ud800", "https://example.com/" + "a" * 2048,
        "https://example.com/" + "\u200b" * 1000, 3,
    ]  # fmt: skip

    @staticmethod
    def msgids_in_source() -> set[str]:
        import ast

        from app.rules import urls

        tree = ast.parse(Path(urls.__file__).read_text(encoding="utf-8"))
        return {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Message"
            and isinstance(node.args[0], ast.Constant)
        }

    def test_every_refusal_is_a_translated_message(self) -> None:
        from app.rules.urls import InvalidURL, normalize_url

        french = i18n.translator("fr")
        seen: set[str] = set()
        for url in self.REFUSED:
            with pytest.raises(InvalidURL) as caught:
                normalize_url(url)  # type: ignore[arg-type]
            message = caught.value.args[0]
            assert isinstance(message, i18n.Message), message
            assert str(caught.value) == message  # the API's English, as it was
            assert french.gettext(message.msgid) != message.msgid, message.msgid
            assert i18n.translate(message, "fr") != message
            seen.add(message.msgid)
        assert seen == self.msgids_in_source()

    @pytest.mark.parametrize(
        ("url", "language", "text"),
        [
            ("http://localhost/", "en", "'localhost' is not a public host name (it has no dot)"),
            (
                "http://localhost/",
                "fr",
                "'localhost' n’est pas un nom d’hôte public (il n’a pas de point)",
            ),
            ("http://example.com:99999/", "en", "URL port 99999 is out of range (0-65535)"),
            (
                "http://example.com:99999/",
                "fr",
                "Le port 99999 de l’URL est hors limites (0-65535)",
            ),
        ],
    )
    def test_in_the_readers_language(self, url: str, language: str, text: str) -> None:
        from app.rules.urls import InvalidURL, normalize_url

        with pytest.raises(InvalidURL) as caught:
            normalize_url(url)
        assert i18n.translate(caught.value.args[0], language) == text

    def test_an_imports_rejection_keeps_the_message(self) -> None:
        from app.domain.importing import _reason
        from app.rules.urls import InvalidURL, normalize_url

        with pytest.raises(InvalidURL) as caught:
            normalize_url("ftp://example.com/file")
        reason = _reason(caught.value)
        assert reason == "URL scheme 'ftp' is not supported; only http and https URLs are accepted"
        assert i18n.translate(reason, "fr").startswith("Le schéma d’URL 'ftp' n’est pas pris")
