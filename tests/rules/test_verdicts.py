"""Specifications for verdict normalisation (app.rules.verdicts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.verdicts import Verdict, _build_table, _table, fold_label, normalize_verdict

V = Verdict
REAL_DATA = Path(__file__).resolve().parents[1] / "data" / "claimreview-real"
TABLE_JSON = Path(__file__).resolve().parents[2] / "app" / "rules" / "verdict_labels.json"
REQUIRED_LANGUAGES = {"any", "en", "fr", "es", "pt", "de", "it", "ar", "hi", "bn", "zh"}

REKER = (
    "Reker hat diesen Satz nie gesagt. «Völliger Unsinn», heißt es dazu aus der Pressestelle "
    "der Stadt Köln."
)
HEALTH_DESK = (
    "The Health Desk Experts said Current data shows that roughly 10% of infected people do not "
    "have measurable antibodies once they recover from COVID-19."
)

# Every rating label found in tests/data/claimreview-real. A label added to the data without an
# entry here fails test_every_label_in_the_data_has_an_expected_verdict.
EXPECTED_REAL_LABELS: dict[str, Verdict] = {
    "False": V.FALSE,
    "Falso": V.FALSE,
    "Falso.": V.FALSE,
    "Faux": V.FALSE,
    "Incorrect": V.FALSE,
    "really_false": V.FALSE,
    REKER: V.FALSE,
    "Mostly false": V.MOSTLY_FALSE,
    "Engañoso": V.MISLEADING,
    "Misleading": V.MISLEADING,
    "não_é_bem_assim": V.MISLEADING,
    "證據不足": V.UNPROVEN,
    # The sentence is the fact-checker's finding, not a rating, and its numeric value is empty:
    # nothing in it says which way the claim went, so OTHER is the honest answer.
    HEALTH_DESK: V.OTHER,
}


def _number(raw: object) -> float | None:
    """JSON-LD carries ratings as strings ("1", "") as often as numbers."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(str(raw))
    except ValueError:
        return None


def _ratings(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("textualRating"), str):
            yield {"alternateName": node["textualRating"]}
        if node.get("@type") == "Rating" and "alternateName" in node:
            yield node
        for child in node.values():
            yield from _ratings(child)
    elif isinstance(node, list):
        for child in node:
            yield from _ratings(child)


REAL_RATINGS = {
    f"{path.name}#{index}": rating
    for path in sorted(REAL_DATA.glob("*.json"))
    for index, rating in enumerate(_ratings(json.loads(path.read_text(encoding="utf-8"))))
}


class TestRealLabels:
    def test_the_data_files_yield_ratings(self) -> None:
        assert len(REAL_RATINGS) >= 20

    def test_every_label_in_the_data_has_an_expected_verdict(self) -> None:
        labels = {rating["alternateName"] for rating in REAL_RATINGS.values()}
        assert labels - EXPECTED_REAL_LABELS.keys() == set()

    @pytest.mark.parametrize("rating", REAL_RATINGS.values(), ids=REAL_RATINGS.keys())
    def test_each_real_rating_maps_to_its_expected_verdict(self, rating: dict[str, Any]) -> None:
        verdict = normalize_verdict(
            rating["alternateName"],
            _number(rating.get("ratingValue")),
            _number(rating.get("bestRating")),
            _number(rating.get("worstRating")),
        )
        assert verdict == EXPECTED_REAL_LABELS[rating["alternateName"]]

    @pytest.mark.parametrize(
        ("label", "value", "best", "worst", "expected"),
        [
            ("False", 1, 5, 1, V.FALSE),
            ("Falso", 1, 5, 1, V.FALSE),
            ("Engañoso", 2, 5, 1, V.MISLEADING),
            ("Faux", 1, 5, 1, V.FALSE),
            ("Misleading", 3, 5, 1, V.MISLEADING),
            ("Incorrect", 1, 6, 1, V.FALSE),
            ("não_é_bem_assim", 5, 6, None, V.MISLEADING),
            ("False", 1, None, None, V.FALSE),  # bestRating ""
            (REKER, None, None, None, V.FALSE),
            ("Falso.", 1, 5, 1, V.FALSE),
            (HEALTH_DESK, None, 5, 1, V.OTHER),  # ratingValue ""
            ("Mostly false", 2, 5, 1, V.MOSTLY_FALSE),
            ("證據不足", None, 5, 1, V.UNPROVEN),
            ("really_false", -1, -1, -1, V.FALSE),
            ("Incorrect \r", None, None, None, V.FALSE),
        ],
    )
    def test_labels_seen_in_real_feeds(
        self,
        label: str,
        value: float | None,
        best: float | None,
        worst: float | None,
        expected: Verdict,
    ) -> None:
        assert normalize_verdict(label, value, best, worst) == expected


COMMON_LABELS = [
    # English
    ("en", "FALSE", V.FALSE),
    ("en", "Pants on Fire!", V.FALSE),
    ("en", "pants_on_fire", V.FALSE),
    ("en", "Four Pinocchios", V.FALSE),
    ("en", "Fake", V.FALSE),
    ("en", "Altered", V.FALSE),
    ("en", "Manipulated", V.FALSE),
    ("en", "Mostly False", V.MOSTLY_FALSE),
    ("en", "Half-True", V.MIXED),
    ("en", "Partly false", V.MIXED),
    ("en", "Mixed", V.MIXED),
    ("en", "Mostly True", V.MOSTLY_TRUE),
    ("en", "True", V.TRUE),
    ("en", "Missing context", V.MISLEADING),
    ("en", "Lacks Context", V.MISLEADING),
    ("en", "Exaggerated", V.MISLEADING),
    ("en", "Distorts the Facts", V.MISLEADING),
    ("en", "Unproven", V.UNPROVEN),
    ("en", "Unsupported", V.UNPROVEN),
    ("en", "No evidence", V.UNPROVEN),
    ("en", "Satire", V.SATIRE),
    # French
    ("fr", "Faux", V.FALSE),
    ("fr", "C’est faux", V.FALSE),
    ("fr", "Montage", V.FALSE),
    ("fr", "Plutôt faux", V.MOSTLY_FALSE),
    ("fr", "Inexact", V.MOSTLY_FALSE),
    ("fr", "Trompeur", V.MISLEADING),
    ("fr", "Manque de contexte", V.MISLEADING),
    ("fr", "Photo détournée", V.MISLEADING),
    ("fr", "Vrai", V.TRUE),
    ("fr", "Plutôt vrai", V.MOSTLY_TRUE),
    ("fr", "Infondé", V.UNPROVEN),
    ("fr", "Satire", V.SATIRE),
    # Spanish
    ("es", "Falso", V.FALSE),
    ("es", "Bulo", V.FALSE),
    ("es", "Engañoso", V.MISLEADING),
    ("es", "Fuera de contexto", V.MISLEADING),
    ("es", "Verdadero", V.TRUE),
    ("es", "Cierto", V.TRUE),
    ("es", "Impreciso", V.MIXED),
    ("es", "Sin evidencia", V.UNPROVEN),
    ("es", "No hay pruebas", V.UNPROVEN),
    ("es", "Sátira", V.SATIRE),
    # Portuguese
    ("pt", "Falso", V.FALSE),
    ("pt", "Enganoso", V.MISLEADING),
    ("pt", "Não é bem assim", V.MISLEADING),
    ("pt", "Distorcido", V.MISLEADING),
    ("pt", "Exagerado", V.MISLEADING),
    ("pt", "Sem contexto", V.MISLEADING),
    ("pt", "Verdadeiro", V.TRUE),
    ("pt", "Impreciso", V.MIXED),
    ("pt", "Insustentável", V.UNPROVEN),
    ("pt", "Sátira", V.SATIRE),
    # German
    ("de", "Falsch", V.FALSE),
    ("de", "Frei erfunden", V.FALSE),
    ("de", "Größtenteils falsch", V.MOSTLY_FALSE),
    ("de", "Teilweise falsch", V.MIXED),
    ("de", "Irreführend", V.MISLEADING),
    ("de", "Fehlender Kontext", V.MISLEADING),
    ("de", "Richtig", V.TRUE),
    ("de", "Unbelegt", V.UNPROVEN),
    ("de", "Satire", V.SATIRE),
    # Italian
    ("it", "Falso", V.FALSE),
    ("it", "Panzana pazzesca", V.FALSE),
    ("it", "Pinocchio andante", V.MOSTLY_FALSE),
    ("it", "Nì", V.MIXED),
    ("it", "C’eri quasi", V.MOSTLY_TRUE),
    ("it", "C'eri quasi", V.MOSTLY_TRUE),
    ("it", "Vero", V.TRUE),
    ("it", "Fuorviante", V.MISLEADING),
    ("it", "Senza prove", V.UNPROVEN),
    ("it", "Satira", V.SATIRE),
    # Arabic, with and without harakat and hamza
    ("ar", "زائف", V.FALSE),
    ("ar", "زايف", V.FALSE),
    ("ar", "خطأ", V.FALSE),
    ("ar", "مُضلِّل", V.MISLEADING),
    ("ar", "مضلل", V.MISLEADING),
    ("ar", "خارج السياق", V.MISLEADING),
    ("ar", "صحيح", V.TRUE),
    ("ar", "صحيح جزئياً", V.MIXED),
    ("ar", "غير دقيق", V.MOSTLY_FALSE),
    ("ar", "ساخر", V.SATIRE),
    # Hindi, with and without nukta
    ("hi", "गलत", V.FALSE),
    ("hi", "ग़लत", V.FALSE),
    ("hi", "फर्जी", V.FALSE),
    ("hi", "फ़र्ज़ी", V.FALSE),
    ("hi", "झूठ", V.FALSE),
    ("hi", "भ्रामक", V.MISLEADING),
    ("hi", "सच", V.TRUE),
    ("hi", "आधा सच", V.MIXED),
    ("hi", "व्यंग्य", V.SATIRE),
    # Bengali
    ("bn", "মিথ্যা", V.FALSE),
    ("bn", "ভুয়া", V.FALSE),
    ("bn", "বানোয়াট", V.FALSE),
    ("bn", "বিভ্রান্তিকর", V.MISLEADING),
    ("bn", "বিকৃত", V.MISLEADING),
    ("bn", "সত্য", V.TRUE),
    ("bn", "আংশিক সত্য", V.MIXED),
    ("bn", "অপ্রমাণিত", V.UNPROVEN),
    ("bn", "ব্যঙ্গ", V.SATIRE),
    # Chinese, Traditional and Simplified
    ("zh", "錯誤", V.FALSE),
    ("zh", "错误", V.FALSE),
    ("zh", "部分錯誤", V.MIXED),
    ("zh", "部分错误", V.MIXED),
    ("zh", "證據不足", V.UNPROVEN),
    ("zh", "证据不足", V.UNPROVEN),
    ("zh", "事實釐清", V.MISLEADING),
    ("zh", "正確", V.TRUE),
    ("zh", "正确", V.TRUE),
    ("zh", "误导", V.MISLEADING),
    ("zh", "謠言", V.FALSE),
    ("zh", "諷刺", V.SATIRE),
]


class TestCommonLabels:
    @pytest.mark.parametrize(
        ("language", "label", "expected"),
        [pytest.param(*case, id=f"{case[0]}:{case[1]}") for case in COMMON_LABELS],
    )
    def test_common_label_maps_to_its_verdict(
        self, language: str, label: str, expected: Verdict
    ) -> None:
        assert normalize_verdict(label) == expected

    @pytest.mark.parametrize("language", sorted(REQUIRED_LANGUAGES - {"any"}))
    def test_each_language_has_at_least_eight_common_labels_checked(self, language: str) -> None:
        assert sum(1 for case in COMMON_LABELS if case[0] == language) >= 8

    @pytest.mark.parametrize(
        ("slug", "expected"),
        [
            ("really_false", V.FALSE),
            ("pants_on_fire", V.FALSE),
            ("não_é_bem_assim", V.MISLEADING),
            ("half_true", V.MIXED),
            ("missing-context", V.MISLEADING),
            ("mostly_true", V.MOSTLY_TRUE),
        ],
    )
    def test_slugs_match_through_folding(self, slug: str, expected: Verdict) -> None:
        assert normalize_verdict(slug) == expected


class TestFoldLabel:
    @pytest.mark.parametrize(
        ("label", "folded"),
        [
            ("Falso.", "falso"),
            ("Incorrect \r", "incorrect"),
            ("  Mostly   FALSE ", "mostly false"),
            ("não_é_bem_assim", "nao e bem assim"),
            ("Half-True", "half true"),
            ("Größtenteils falsch", "grosstenteils falsch"),
            ("«Völliger Unsinn»", "volliger unsinn"),
            ("C’eri quasi", "c'eri quasi"),
            ("Falso ❌", "falso"),
            ("Ψευδές", "ψευδεσ"),  # casefold turns final ς into σ
            ("Фейк", "феик"),  # й is и plus a breve, and Cyrillic marks go
            ("ｆａｌｓｅ", "false"),
            ("مُضَلِّل", "مضلل"),
            ("أخطأ", "اخطا"),
        ],
    )
    def test_folds_case_accents_separators_and_edge_punctuation(
        self, label: str, folded: str
    ) -> None:
        assert fold_label(label) == folded

    @pytest.mark.parametrize("label", ["भ्रामक", "फ़र्ज़ी", "বিভ্রান্তিকর", "ভুয়া", "錯誤"])
    def test_keeps_the_marks_that_are_letters_in_indic_scripts(self, label: str) -> None:
        assert fold_label(label) == label

    def test_keeps_internal_punctuation(self) -> None:
        assert fold_label("Verdadeiro, mas...") == "verdadeiro, mas"


class TestOverrides:
    def test_override_wins_over_the_table(self) -> None:
        assert normalize_verdict("False", overrides={"False": "mixed"}) == V.MIXED

    def test_override_keys_are_compared_folded(self) -> None:
        assert normalize_verdict("pants on fire", overrides={"PANTS_ON_FIRE": "satire"}) == (
            V.SATIRE
        )

    def test_override_maps_a_label_the_table_does_not_know(self) -> None:
        assert normalize_verdict("Rojo", overrides={"rojo": "false"}) == V.FALSE

    def test_override_wins_over_the_numeric_rating(self) -> None:
        assert normalize_verdict("Verde", 1, 5, 1, overrides={"verde": "true"}) == V.TRUE

    def test_override_wins_over_keywords(self) -> None:
        label = "Falso, pero gracioso"
        assert normalize_verdict(label, overrides={label: "satire"}) == V.SATIRE

    def test_override_with_an_invalid_verdict_falls_back_to_the_table(self) -> None:
        assert normalize_verdict("Falso", overrides={"falso": "nonsense"}) == V.FALSE

    def test_overrides_for_other_labels_do_not_interfere(self) -> None:
        assert normalize_verdict("Faux", overrides={"rojo": "true"}) == V.FALSE


class TestKeywordRule:
    @pytest.mark.parametrize(
        ("label", "expected"),
        [
            (REKER, V.FALSE),
            ("This claim is false, the photo dates from 2015.", V.FALSE),
            ("Es un bulo que circula desde 2019", V.FALSE),
            ("Le titre est trompeur : la citation est tronquée", V.MISLEADING),
            ("Das ist irreführend, denn die Zahl stammt von 2010", V.MISLEADING),
            ("A foto está fora de contexto", V.MISLEADING),
            ("There is no evidence for this", V.UNPROVEN),
            ("This is a satirical article", V.SATIRE),
            ("网传图片为伪造", V.FALSE),
            ("這是錯誤的說法", V.FALSE),
            ("此說法證據不足", V.UNPROVEN),
            ("यह दावा भ्रामक है", V.MISLEADING),
            ("এই দাবি মিথ্যা", V.FALSE),
            ("هذا الادعاء زائف", V.FALSE),
        ],
    )
    def test_sentence_containing_a_keyword_takes_its_verdict(
        self, label: str, expected: Verdict
    ) -> None:
        assert normalize_verdict(label) == expected

    @pytest.mark.parametrize(
        ("label", "expected"),
        [
            ("Misleading, but not fake", V.MISLEADING),
            ("Fake, and misleading too", V.FALSE),
            ("Faux et trompeur", V.FALSE),
            ("Mostly false: the satire site made it up", V.MOSTLY_FALSE),
            ("Das Video ist teilweise falsch", V.MIXED),
            ("此說法大部分錯誤", V.MOSTLY_FALSE),
        ],
    )
    def test_the_keyword_appearing_first_wins(self, label: str, expected: Verdict) -> None:
        assert normalize_verdict(label) == expected

    def test_at_the_same_position_the_longer_phrase_wins(self) -> None:
        # "زائف" (false) and "زائف جزئياً" (partly false) both start the sentence.
        assert normalize_verdict("زائف جزئياً لأن الصورة قديمة") == V.MIXED

    @pytest.mark.parametrize(
        "label",
        [
            "Falsetto singers in Rome",  # "false" inside a word
            "Incorrectly attributed? Nobody knows",  # "incorrect" inside a word
            "The photo was taken by a faker's cousin",
            "Lorem fakes ipsum",
            HEALTH_DESK,
        ],
    )
    def test_keywords_match_whole_words_only(self, label: str) -> None:
        assert normalize_verdict(label) == V.OTHER

    def test_a_keyword_glued_to_indic_vowel_signs_is_not_matched(self) -> None:
        # "गलती" (a mistake) starts with "गलत" (false) but is a different word.
        assert normalize_verdict("उनकी गलती नहीं थी") == V.OTHER


class TestNumericRule:
    @pytest.mark.parametrize(
        ("value", "best", "worst", "expected"),
        [
            (1, 5, 1, V.FALSE),
            (2, 5, 1, V.MOSTLY_FALSE),
            (3, 5, 1, V.MIXED),
            (4, 5, 1, V.MOSTLY_TRUE),
            (5, 5, 1, V.TRUE),
            (0, 100, 0, V.FALSE),
            (19.9, 100, 0, V.FALSE),
            (20, 100, 0, V.MOSTLY_FALSE),
            (40, 100, 0, V.MIXED),
            (60, 100, 0, V.MOSTLY_TRUE),
            (80, 100, 0, V.TRUE),
            (100, 100, 0, V.TRUE),
            (1, 6, 1, V.FALSE),
            (0, 1, -1, V.MIXED),
        ],
    )
    def test_valid_scale_maps_to_five_even_bands(
        self, value: float, best: float, worst: float, expected: Verdict
    ) -> None:
        assert normalize_verdict(None, value, best, worst) == expected

    @pytest.mark.parametrize(
        ("value", "best", "worst"),
        [
            pytest.param(-1, -1, -1, id="sentinel -1/-1/-1"),
            pytest.param(3, 3, 3, id="best equals worst"),
            pytest.param(1, 1, 5, id="best below worst"),
            pytest.param(6, 5, 1, id="value above best"),
            pytest.param(0, 5, 1, id="value below worst"),
            pytest.param(5, 6, None, id="missing worst"),
            pytest.param(1, None, 1, id="missing best"),
            pytest.param(None, 5, 1, id="missing value"),
            pytest.param(float("nan"), 5, 1, id="nan value"),
            pytest.param(1, float("inf"), 1, id="infinite best"),
            pytest.param(0, 1e308, -1e308, id="range overflows"),
        ],
    )
    def test_invalid_scale_is_ignored(
        self, value: float | None, best: float | None, worst: float | None
    ) -> None:
        assert normalize_verdict(None, value, best, worst) == V.OTHER

    def test_unknown_label_falls_back_to_a_valid_scale(self) -> None:
        assert normalize_verdict("Rojo", 1, 5, 1) == V.FALSE

    def test_a_known_label_wins_over_the_scale(self) -> None:
        assert normalize_verdict("Engañoso", 2, 5, 1) == V.MISLEADING

    def test_a_keyword_wins_over_the_scale(self) -> None:
        assert normalize_verdict("This is false, see below", 5, 5, 1) == V.FALSE

    def test_an_explicit_not_rated_label_wins_over_the_scale(self) -> None:
        assert normalize_verdict("Not rated", 1, 5, 1) == V.OTHER


class TestUnknownAndGarbage:
    @pytest.mark.parametrize(
        "label",
        [None, "", "   ", "...", "\r\n", "Rojo", "Lorem ipsum dolor sit amet", "🤷", "42"],
    )
    def test_unknown_label_without_a_scale_is_other(self, label: str | None) -> None:
        assert normalize_verdict(label) == V.OTHER

    @pytest.mark.parametrize(
        "label",
        [
            "a" * 10_000,
            "🔥" * 10_000,
            "false" * 2_000,
            "\x00\ud800\U0010ffff",
            "\u0345" * 50,
            "ـــ",
        ],
        ids=["10k letters", "10k emoji", "glued keyword", "nul, surrogate", "marks", "tatweel"],
    )
    def test_pathological_labels_do_not_raise(self, label: str) -> None:
        assert isinstance(normalize_verdict(label), Verdict)

    def test_ten_thousand_chars_ending_in_a_keyword_still_match(self) -> None:
        assert normalize_verdict("x " * 5_000 + "misleading") == V.MISLEADING

    def test_non_string_inputs_do_not_raise(self) -> None:
        garbage = cast(Any, object())
        assert normalize_verdict(garbage, garbage, garbage, garbage) == V.OTHER
        assert normalize_verdict(cast(Any, 1), cast(Any, "1"), cast(Any, "5"), True) == V.OTHER
        assert normalize_verdict("Rojo", 10**400, 10**401, 0) == V.OTHER

    @settings(database=None, deadline=None)
    @given(
        label=st.one_of(st.none(), st.text(), st.text(alphabet="falsoveri _-.!¿«»", max_size=40)),
        value=st.one_of(st.none(), st.floats(), st.integers()),
        best=st.one_of(st.none(), st.floats(), st.integers()),
        worst=st.one_of(st.none(), st.floats(), st.integers()),
        overrides=st.one_of(st.none(), st.dictionaries(st.text(), st.text(), max_size=3)),
    )
    def test_any_input_yields_a_verdict(
        self,
        label: str | None,
        value: float | None,
        best: float | None,
        worst: float | None,
        overrides: dict[str, str] | None,
    ) -> None:
        assert isinstance(normalize_verdict(label, value, best, worst, overrides), Verdict)

    @settings(database=None, deadline=None)
    @given(st.text())
    def test_folded_labels_carry_no_edge_whitespace_or_double_spaces(self, label: str) -> None:
        folded = fold_label(label)
        assert folded == folded.strip()
        assert "  " not in folded


class TestTableData:
    def test_the_shipped_table_loads_without_conflicts(self) -> None:
        _table.cache_clear()
        table = _table()
        assert len(table.labels) > 300
        assert table.keywords

    def test_the_table_covers_every_required_language(self) -> None:
        languages = json.loads(TABLE_JSON.read_text(encoding="utf-8"))["languages"]
        assert set(languages) >= REQUIRED_LANGUAGES
        for language in REQUIRED_LANGUAGES - {"any"}:
            assert len(languages[language]["labels"]) >= 20, language

    def test_every_verdict_in_the_json_is_a_valid_verdict(self) -> None:
        raw = json.loads(TABLE_JSON.read_text(encoding="utf-8"))
        valid = {verdict.value for verdict in Verdict}
        for language, section in raw["languages"].items():
            assert set(section["labels"].values()) <= valid, language
            assert set(section.get("keywords", {})) <= valid, language
        assert {band["verdict"] for band in raw["numeric_bands"]["bands"]} <= valid

    def test_the_bands_are_five_even_steps(self) -> None:
        assert [lower for lower, _ in _table().bands] == [0.0, 0.2, 0.4, 0.6, 0.8]

    @pytest.mark.parametrize(
        "languages",
        [
            pytest.param(
                {"es": {"labels": {"Falso": "false"}}, "pt": {"labels": {"falso": "true"}}},
                id="same label, two verdicts across languages",
            ),
            pytest.param(
                {"en": {"labels": {"Half-True": "mixed", "half_true": "mostly_true"}}},
                id="labels that fold alike",
            ),
            pytest.param(
                {"en": {"keywords": {"false": ["fake"], "satire": ["FAKE"]}}},
                id="same keyword, two verdicts",
            ),
            pytest.param(
                {"en": {"labels": {"fake": "satire"}, "keywords": {"false": ["fake"]}}},
                id="keyword disagrees with label",
            ),
            pytest.param({"en": {"labels": {"...": "false"}}}, id="label folds to nothing"),
            pytest.param({"en": {"labels": {"Falso": "falsish"}}}, id="unknown verdict"),
        ],
    )
    def test_inconsistent_data_is_refused_at_load_time(self, languages: dict[str, Any]) -> None:
        raw = {
            "languages": languages,
            "numeric_bands": {"bands": [{"from": 0, "verdict": "false"}]},
        }
        with pytest.raises(ValueError):
            _build_table(raw)

    def test_bands_that_do_not_start_at_zero_are_refused(self) -> None:
        raw = {"languages": {}, "numeric_bands": {"bands": [{"from": 0.5, "verdict": "false"}]}}
        with pytest.raises(ValueError, match="numeric bands"):
            _build_table(raw)
