"""The rules under verdict normalisation: whole-word keyword matching across scripts, the longest
phrase at a position, and a label table that refuses to contradict itself."""

from typing import Any

import pytest

from app.domain.schemas import Verdict
from app.rules.verdicts import _build_table, _find_word, _is_word_char, normalize_verdict


class TestWholeWords:
    def test_the_first_whole_word_occurrence_is_found(self) -> None:
        assert _find_word("false and false", "false") == 0
        assert _find_word("falsehood, false", "false") == 11
        assert _find_word("xfalse", "false") == -1
        assert _find_word("falsex", "false") == -1
        assert _find_word("no match", "false") == -1

    def test_a_whole_word_between_glued_ones_is_found(self) -> None:
        assert _find_word("falsex false falsex", "false") == 7

    def test_a_keyword_edged_with_punctuation_may_touch_letters(self) -> None:
        assert _find_word("a-x", "-x") == 1
        assert _find_word("xy-a", "xy-") == 0

    @pytest.mark.parametrize("char", ["\u3400", "\u4e00", "\u9fff", "\uf900", "\U00020000"])
    def test_han_characters_do_not_glue_words(self, char: str) -> None:
        # Chinese runs on without spaces: a keyword inside a longer run is still a keyword.
        assert not _is_word_char(char)
        assert _find_word(f"{char}错误{char}", "错误") == 1

    @pytest.mark.parametrize("char", ["a", "É", "٣", "\u093f", "\u094d", "ก"])
    def test_letters_digits_and_marks_glue_words(self, char: str) -> None:
        assert _is_word_char(char)

    def test_an_indic_vowel_sign_belongs_to_the_word(self) -> None:
        assert _find_word("सचिन", "सच") == -1


class TestKeywords:
    def test_at_one_position_the_longer_phrase_wins(self) -> None:
        assert normalize_verdict("زائف جزئياً بحسب المصادر") == Verdict.MIXED
        assert normalize_verdict("زائف بحسب المصادر") == Verdict.FALSE

    @pytest.mark.parametrize(
        "keywords",
        [
            pytest.param({"mixed": ["half false"], "false": ["half"]}, id="longer-listed-first"),
            pytest.param({"false": ["half"], "mixed": ["half false"]}, id="shorter-listed-first"),
        ],
    )
    def test_the_longer_phrase_wins_whatever_the_order_of_the_table(
        self, keywords: dict[str, list[str]]
    ) -> None:
        table = _build_table(_raw(en={"keywords": keywords}))
        assert table.keyword_verdict("half false, as the figures show") == Verdict.MIXED
        assert table.keyword_verdict("half of it is right") == Verdict.FALSE

    def test_the_earliest_keyword_wins(self) -> None:
        assert normalize_verdict("Falso, aunque parte es verdadero") == normalize_verdict("Falso")


def _raw(**languages: Any) -> dict[str, Any]:
    return {
        "languages": languages,
        "numeric_bands": {
            "bands": [{"from": 0.0, "verdict": "false"}, {"from": 0.5, "verdict": "true"}]
        },
    }


class TestTable:
    def test_a_label_given_two_verdicts_is_refused_with_both(self) -> None:
        with pytest.raises(
            ValueError, match=r"fr labels: 'FAUX' -> true, but 'faux' is already false"
        ):
            _build_table(_raw(en={"labels": {"faux": "false"}}, fr={"labels": {"FAUX": "true"}}))

    def test_a_label_that_folds_to_nothing_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"en labels: '\?\?' folds to an empty key"):
            _build_table(_raw(en={"labels": {"??": "false"}}))

    def test_a_keyword_contradicting_a_label_is_refused(self) -> None:
        with pytest.raises(
            ValueError, match=r"en keywords: 'Bogus' -> true, but 'bogus' is already false"
        ):
            _build_table(_raw(en={"keywords": {"false": ["bogus"], "true": ["Bogus"]}}))
        with pytest.raises(
            ValueError, match=r"keyword 'bogus' -> true, but label 'bogus' is false"
        ):
            _build_table(_raw(en={"labels": {"bogus": "false"}, "keywords": {"true": ["bogus"]}}))

    @pytest.mark.parametrize(
        "lowers",
        [[], [0.1, 0.5], [0.0, 0.5, 0.5], [0.0, 0.6, 0.5], [0.0, 1.0], [0.0, 0.5, 1.0]],
    )
    def test_numeric_bands_must_rise_from_zero_below_one(self, lowers: list[float]) -> None:
        raw = _raw()
        raw["numeric_bands"]["bands"] = [{"from": x, "verdict": "mixed"} for x in lowers]
        with pytest.raises(ValueError, match=r"numeric bands must rise from 0\.0"):
            _build_table(raw)

    def test_a_consistent_table_is_built(self) -> None:
        table = _build_table(
            _raw(en={"labels": {"Bogus": "false"}, "keywords": {"true": ["Right"]}})
        )
        assert table.labels == {"bogus": Verdict.FALSE}
        assert table.keywords == (("right", Verdict.TRUE),)
        assert table.band_verdict(0.75, 1.0, 0.0) == Verdict.TRUE
        assert table.band_verdict(0.25, 1.0, 0.0) == Verdict.FALSE
