"""Specifications for search text analysis (app.search.analysis).

Behaviour is stated with `matches`, the AND-of-ORs the backends apply: a document matches a
query when every query term has an alternative among the document's tokens.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import regex  # type: ignore[import-untyped]
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.search import analysis
from app.search.analysis import (
    MAX_QUERY_TERMS,
    MAX_TOKEN_CHARS,
    QueryTerm,
    analyze,
    analyze_query,
    fold,
)

REAL_DATA = Path(__file__).resolve().parents[1] / "data" / "claimreview-real"
SAFE = regex.compile(r"^[\p{L}\p{M}\p{N}]+$")
TOKEN_CHARACTER = regex.compile(r"[\p{L}\p{M}\p{N}]")

# A query in the document's language, and one with no language (searches every language).
QUERY_LANGUAGES = pytest.mark.parametrize(
    "in_doc_language", [True, False], ids=["query-in-doc-language", "query-in-any-language"]
)


def matches(doc_text: str, doc_lang: str | None, query: str, query_lang: str | None) -> bool:
    """True when every term of a non-empty query has an alternative among the doc tokens."""
    tokens = set(analyze(doc_text, doc_lang))
    terms = analyze_query(query, query_lang)
    return bool(terms) and all(
        any(alternative in tokens for alternative in term.alternatives) for term in terms
    )


def finds(doc_text: str, lang: str | None, query: str, in_doc_language: bool) -> bool:
    return matches(doc_text, lang, query, lang if in_doc_language else None)


def real_claim(file_name: str) -> str:
    data = json.loads((REAL_DATA / file_name).read_text(encoding="utf-8"))
    claim: str = data["jsonld"]["claimReviewed"]
    return claim


def spelled_with_letters(char: str) -> bool:
    """A symbol that NFKC turns into letters or digits, such as ™ or ㈱."""
    return not TOKEN_CHARACTER.match(char) and bool(
        TOKEN_CHARACTER.search(unicodedata.normalize("NFKC", char))
    )


def strip_accents(text: str) -> str:
    return unicodedata.normalize(
        "NFC",
        "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)),
    )


HINDI_CLAIM = real_claim("hindi_boom_live_raw.json")
BENGALI_CLAIM = real_claim("bangla_boom_live_raw.json")
TAIWAN_CLAIM = real_claim("tfc_taiwan_missing_page.json")
FRENCH_CLAIM = real_claim("twenty_minutes_claim_review_page.json")


class TestFolding:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("Décembre", "decembre"),
            ("ÉCOLE", "ecole"),
            ("naïve café", "naive cafe"),
            ("Straße", "strasse"),
            ("İstanbul", "istanbul"),
            ("São Paulo", "sao paulo"),
            ("Łódź", "lodz"),
            ("cœur", "coeur"),
            ("Ελληνικά", "ελληνικα"),
            ("ёлка", "елка"),
            ("молоко\u0301", "молоко"),
            ("e\u0301te\u0301", "ete"),
            ("ＣＯＶＩＤ１９", "covid19"),
            ("ﬁnance", "finance"),
        ],
    )
    def test_case_diacritics_and_compatibility_forms_are_folded(
        self, text: str, folded: str
    ) -> None:
        assert fold(text) == folded

    @QUERY_LANGUAGES
    @pytest.mark.parametrize(("doc", "query"), [("décembre", "decembre"), ("decembre", "décembre")])
    def test_decembre_finds_decembre_and_back(
        self, doc: str, query: str, in_doc_language: bool
    ) -> None:
        assert finds(f"Publié le 3 {doc} 2020", "fr", query, in_doc_language)

    @QUERY_LANGUAGES
    @pytest.mark.parametrize("lang", ["en", "fr", "es", "pt", "de", "it", None])
    @pytest.mark.parametrize(
        "word", ["Décembre", "Ärztekammer", "vacunación", "informações", "perché", "naïveté"]
    )
    def test_an_accented_word_is_found_without_its_accents_and_back(
        self, word: str, lang: str | None, in_doc_language: bool
    ) -> None:
        assert finds(word, lang, strip_accents(word), in_doc_language)
        assert finds(strip_accents(word), lang, word, in_doc_language)

    def test_cyrillic_short_i_is_a_letter_not_an_accented_i(self) -> None:
        assert fold("новый") == "новый"
        assert analyze("мой", None) != analyze("мои", None)

    @QUERY_LANGUAGES
    @pytest.mark.parametrize(
        ("with_harakat", "without"),
        [
            ("اللُّغَةُ العَرَبِيَّةُ", "اللغة العربية"),
            ("قَالَتِ الحُكُومَةُ إِنَّ اللِّقَاحَاتِ آمِنَةٌ", "قالت الحكومة إن اللقاحات آمنة"),
        ],
    )
    def test_arabic_is_found_with_or_without_harakat(
        self, with_harakat: str, without: str, in_doc_language: bool
    ) -> None:
        assert finds(with_harakat, "ar", without, in_doc_language)
        assert finds(without, "ar", with_harakat, in_doc_language)

    def test_arabic_tatweel_is_ignored(self) -> None:
        assert analyze("جميـــلة", "ar") == analyze("جميلة", "ar")
        assert fold("جميـــلة") == "جميلة"

    def test_arabic_hamza_letters_are_kept(self) -> None:
        assert fold("أحمد") == "أحمد"

    @QUERY_LANGUAGES
    @pytest.mark.parametrize(("doc", "query"), [("Αθήνα", "αθηνα"), ("ΑΘΗΝΑ", "Αθήνα")])
    def test_greek_is_found_without_accents_or_case(
        self, doc: str, query: str, in_doc_language: bool
    ) -> None:
        assert finds(f"Ψεύτικη είδηση από την {doc}", "el", query, in_doc_language)

    @pytest.mark.parametrize("word", ["मंदिर", "पुजारी", "परिवार", "কান্নার", "প্রধানমন্ত্রী"])
    def test_indic_vowel_signs_and_viramas_are_kept(self, word: str) -> None:
        assert fold(word) == word
        assert analyze(word, None) == [word]

    @pytest.mark.parametrize(("a", "b"), [("कम", "काम"), ("দিন", "দীন"), ("कि", "की")])
    def test_indic_words_differing_by_a_vowel_sign_stay_apart(self, a: str, b: str) -> None:
        assert analyze(a, None) != analyze(b, None)

    @QUERY_LANGUAGES
    @pytest.mark.parametrize("word", HINDI_CLAIM.split())
    def test_the_real_hindi_claim_is_found_by_each_of_its_words(
        self, word: str, in_doc_language: bool
    ) -> None:
        assert finds(HINDI_CLAIM, "hi", word, in_doc_language)

    @QUERY_LANGUAGES
    @pytest.mark.parametrize("word", BENGALI_CLAIM.split())
    def test_the_real_bengali_claim_is_found_by_each_of_its_words(
        self, word: str, in_doc_language: bool
    ) -> None:
        assert finds(BENGALI_CLAIM, "bn", word, in_doc_language)

    def test_a_word_not_in_an_indic_claim_does_not_find_it(self) -> None:
        assert not matches(HINDI_CLAIM, "hi", "दिल्ली", "hi")
        assert not matches(BENGALI_CLAIM, "bn", "কলকাতা", None)

    def test_invisible_joiners_do_not_split_words(self) -> None:
        assert analyze("Impf\u00adung", None) == ["impfung"]
        assert analyze("می\u200cخواهم", None) == ["میخواهم"]

    @given(st.text())
    def test_folding_twice_is_folding_once(self, text: str) -> None:
        assert fold(fold(text)) == fold(text)


class TestTokenising:
    @pytest.mark.parametrize(
        ("text", "tokens"),
        [
            ("Hello, World!", ["hello", "world"]),
            ("it's a cat's toy", ["it", "s", "a", "cat", "s", "toy"]),
            ("rock’n’roll", ["rock", "n", "roll"]),
            ("COVID-19 in 2020", ["covid", "19", "in", "2020"]),
            ("5G towers", ["5g", "towers"]),
            ("foo_bar foo.bar", ["foo", "bar", "foo", "bar"]),
            ("https://example.com/a?b=c", ["https", "example", "com", "a", "b", "c"]),
            ("코로나 백신", ["코로나", "백신"]),
            ("Ⅻ ½", ["xii", "1", "2"]),
            ("😀 ❤️ 👍🏽", []),
            ("", []),
            ("  \t\n ", []),
        ],
    )
    def test_tokens_are_runs_of_letters_marks_and_digits(
        self, text: str, tokens: list[str]
    ) -> None:
        assert analyze(text, None) == tokens

    def test_tokens_keep_order_and_repeats(self) -> None:
        assert analyze("the cat saw the cat", "en") == ["the", "cat", "saw", "the", "cat"]

    def test_no_stop_words_are_removed(self) -> None:
        assert analyze("le la les de", "fr") == ["le", "la", "le", "de"]

    def test_symbols_that_nfkc_spells_with_letters_are_not_part_of_a_word(self) -> None:
        # Words are cut before folding, so a trademark sign does not change the brand's token.
        assert analyze("Pfizer™", "en") == analyze("Pfizer", "en")

    def test_long_words_are_cut_and_still_found(self) -> None:
        word = "x" * 500
        assert analyze(word, None) == ["x" * MAX_TOKEN_CHARS]
        assert matches(word, "en", word, "en")
        assert matches(word, "en", word, None)

    @pytest.mark.parametrize(
        ("language", "same_as"),
        [("pt-BR", "pt"), ("fr-CA", "fr"), ("EN-us", "en"), ("de_DE", "de"), ("zh-Hant-TW", "zh")],
    )
    def test_only_the_primary_language_subtag_counts(self, language: str, same_as: str) -> None:
        text = "vaccinations vacinações Impfungen vaccins 疫苗"
        assert analyze(text, language) == analyze(text, same_as)

    @pytest.mark.parametrize("language", [None, "", "xx", "bn", "zh", "ja", "ur"])
    def test_no_known_stemmer_means_unstemmed_tokens(self, language: str | None) -> None:
        assert analyze("Vaccines Vaccinated", language) == ["vaccines", "vaccinated"]


class TestInflections:
    @QUERY_LANGUAGES
    @pytest.mark.parametrize(
        ("lang", "doc_word", "query_word"),
        [
            ("en", "vaccines", "vaccine"),
            ("en", "claimed", "claims"),
            ("en", "studies", "study"),
            ("en", "elections", "election"),
            ("fr", "vaccins", "vaccin"),
            ("fr", "contacté", "contacte"),
            ("fr", "contactés", "contacté"),
            ("fr", "contactée", "contacté"),
            ("fr", "vérifiée", "vérifié"),
            ("fr", "publiées", "publie"),
            ("fr", "élections", "election"),
            ("fr", "présidente", "président"),
            ("fr", "réseaux", "reseau"),
            ("es", "vacunas", "vacuna"),
            ("es", "elecciones", "elección"),
            ("es", "países", "pais"),
            ("es", "políticos", "política"),
            ("es", "vacunados", "vacunado"),
            ("pt", "vacinas", "vacina"),
            ("pt", "eleições", "eleição"),
            ("pt", "informações", "informacao"),
            ("pt", "milhões", "milhão"),
            ("pt", "notícias", "noticia"),
            ("de", "Impfungen", "Impfung"),
            ("de", "Ärzte", "Arzt"),
            ("de", "Behörden", "Behörde"),
            ("de", "Straßen", "Strasse"),
            ("de", "Häuser", "Haus"),
        ],
    )
    def test_an_inflection_finds_another_and_back(
        self, lang: str, doc_word: str, query_word: str, in_doc_language: bool
    ) -> None:
        assert finds(f"Les {doc_word} 2021", lang, query_word, in_doc_language)
        assert finds(f"Les {query_word} 2021", lang, doc_word, in_doc_language)

    @QUERY_LANGUAGES
    @pytest.mark.parametrize(
        ("lang", "doc", "query"),
        [
            ("en", "Vaccines cause autism", "vaccine autism"),
            ("fr", "Les vaccins ont été contactés", "vaccin contacte"),
            ("es", "Las vacunas contra el covid-19", "vacuna covid"),
            ("pt", "As vacinas e as eleições", "vacina eleicao"),
            ("de", "Impfungen und Ärzte", "Impfung Arzt"),
        ],
    )
    def test_every_query_word_must_be_found(
        self, lang: str, doc: str, query: str, in_doc_language: bool
    ) -> None:
        assert finds(doc, lang, query, in_doc_language)
        assert not finds(doc, lang, query + " pizza", in_doc_language)

    @pytest.mark.parametrize(
        ("lang", "a", "b"),
        [
            ("en", "vaccine", "vacation"),
            ("fr", "vaccin", "vacances"),
            ("de", "Impfung", "Impfstoff"),
        ],
    )
    def test_different_words_do_not_match(self, lang: str, a: str, b: str) -> None:
        assert not matches(a, lang, b, lang)
        assert not matches(a, lang, b, None)

    @pytest.mark.parametrize(
        ("lang", "a", "b"), [("pt", "mães", "mão"), ("pt", "pães", "pais"), ("pt", "pões", "pão")]
    )
    def test_rewriting_folded_endings_keeps_words_apart(self, lang: str, a: str, b: str) -> None:
        assert analyze(a, lang) != analyze(b, lang)

    def test_the_text_language_chooses_the_stemmer(self) -> None:
        assert analyze("vaccins", "fr") == ["vaccin"]
        assert analyze("vaccins", None) == ["vaccins"]

    @pytest.mark.parametrize(
        ("doc", "lang", "query"),
        [
            ("Les vaccins", "fr", "vaccin"),
            ("As vacinas", "pt", "vacina"),
            ("Die Impfungen", "de", "Impfung"),
            ("Las vacunas", "es", "vacuna"),
            ("The vaccines", "en", "vaccine"),
            ("Вакцины опасны", "ru", "вакцина"),
        ],
    )
    def test_a_query_without_language_finds_stemmed_documents_of_every_language(
        self, doc: str, lang: str, query: str
    ) -> None:
        assert matches(doc, lang, query, None)

    def test_a_query_without_language_offers_the_word_and_its_stems(self) -> None:
        [term] = analyze_query("Vaccins", None)
        assert {"vaccins", "vaccin"} <= set(term.alternatives)

    def test_a_query_with_language_has_one_alternative_per_term(self) -> None:
        terms = analyze_query("Les vaccins contactés", "fr")
        assert terms == [QueryTerm(("le",)), QueryTerm(("vaccin",)), QueryTerm(("contact",))]


class TestElision:
    @pytest.mark.parametrize(
        ("elided", "bare"),
        [
            ("l'école", "école"),
            ("L’École", "école"),
            ("lʼécole", "école"),
            ("d'un", "un"),
            ("j'ai", "ai"),
            ("qu'il", "il"),
            ("n'est", "est"),
            ("s'il", "il"),
            ("c'est", "est"),
            ("m'a", "a"),
            ("t'a", "a"),
            ("jusqu'à", "à"),
            ("lorsqu'on", "on"),
            ("puisqu'elle", "elle"),
        ],
    )
    def test_french_elided_particles_are_dropped(self, elided: str, bare: str) -> None:
        assert analyze(elided, "fr") == analyze(bare, "fr")

    @pytest.mark.parametrize(
        ("elided", "bare"),
        [
            ("l'anno", "anno"),
            ("dell'anno", "anno"),
            ("dall'Italia", "Italia"),
            ("nell'ambito", "ambito"),
            ("sull'isola", "isola"),
            ("all'inizio", "inizio"),
            ("un'altra", "altra"),
            ("quell'uomo", "uomo"),
        ],
    )
    def test_italian_elided_particles_are_dropped(self, elided: str, bare: str) -> None:
        assert analyze(elided, "it") == analyze(bare, "it")

    def test_an_apostrophe_inside_a_word_is_no_elision(self) -> None:
        assert analyze("aujourd'hui", "fr") == ["aujourd", "hui"]

    def test_other_languages_keep_the_particles(self) -> None:
        assert analyze("l'amour d'un", "en") == ["l", "amour", "d", "un"]
        assert analyze("l'amour", None) == ["l", "amour"]

    @QUERY_LANGUAGES
    @pytest.mark.parametrize(
        ("lang", "doc", "query"),
        [
            ("fr", FRENCH_CLAIM, "l'école"),
            ("fr", FRENCH_CLAIM, "ecole"),
            ("fr", FRENCH_CLAIM, "rôle de l'URSS"),
            ("fr", "Le vaccin d’AstraZeneca", "AstraZeneca"),
            ("it", "L'inizio dell'anno", "anno inizio"),
            ("it", "anno", "dell'anno"),
        ],
    )
    def test_elided_words_are_found_with_or_without_their_particle(
        self, lang: str, doc: str, query: str, in_doc_language: bool
    ) -> None:
        assert finds(doc, lang, query, in_doc_language)


class TestChineseAndJapanese:
    @staticmethod
    def runs(text: str) -> list[str]:
        return [r for r in regex.split(r"[^\p{Han}\p{Hiragana}\p{Katakana}ー]+", text) if r]

    def test_a_run_becomes_its_overlapping_bigrams(self) -> None:
        assert analyze("安倍晉三", "zh-Hant") == ["安倍", "倍晉", "晉三"]
        assert analyze("猫", "ja") == ["猫"]

    def test_chinese_is_split_from_other_scripts(self) -> None:
        assert analyze("COVID疫苗2021年", None) == ["covid", "疫苗", "2021", "年"]

    def test_a_query_run_makes_one_term_per_bigram(self) -> None:
        assert analyze_query("轉移肝臟", None) == [
            QueryTerm(("轉移",)),
            QueryTerm(("移肝",)),
            QueryTerm(("肝臟",)),
        ]

    @pytest.mark.parametrize("query_lang", ["zh-Hant", "zh", None])
    @pytest.mark.parametrize("doc_lang", ["zh-Hant", "zh-TW", None])
    def test_every_substring_of_the_real_taiwanese_claim_finds_it(
        self, doc_lang: str | None, query_lang: str | None
    ) -> None:
        substrings = {
            run[i:j]
            for run in self.runs(TAIWAN_CLAIM)
            for i in range(len(run))
            for j in range(i + 2, len(run) + 1)
        }
        assert len(substrings) > 40
        missed = [s for s in substrings if not matches(TAIWAN_CLAIM, doc_lang, s, query_lang)]
        assert missed == []

    @pytest.mark.parametrize("query", ["癌肝", "三安", "晉四", "安倍晉四", "肝癌"])
    def test_a_string_that_is_not_a_substring_does_not_find_it(self, query: str) -> None:
        assert not matches(TAIWAN_CLAIM, "zh-Hant", query, "zh-Hant")
        assert not matches(TAIWAN_CLAIM, "zh-Hant", query, None)

    JAPANESE = "新型コロナウイルスのワクチン接種が始まった。"

    @QUERY_LANGUAGES
    @pytest.mark.parametrize(
        "query",
        ["ワクチン", "接種", "コロナ", "ウイルス", "始まった", "ワクチン接種", "新型コロナ"],
    )
    def test_japanese_kana_and_kanji_are_found_by_any_substring(
        self, query: str, in_doc_language: bool
    ) -> None:
        assert finds(self.JAPANESE, "ja", query, in_doc_language)

    @pytest.mark.parametrize("query", ["ワクチソ", "接種前", "コロナ禍"])
    def test_japanese_non_substrings_do_not_find_it(self, query: str) -> None:
        assert not matches(self.JAPANESE, "ja", query, None)

    def test_a_single_character_finds_it_only_where_it_stands_alone(self) -> None:
        assert matches("猫。", "ja", "猫", None)
        assert not matches("猫が好き", "ja", "猫", None)

    def test_halfwidth_katakana_finds_fullwidth(self) -> None:
        assert matches(self.JAPANESE, "ja", "ﾜｸﾁﾝ", None)


OPERATOR_LOOKING_QUERIES = [
    '"vaccine autism"',
    '"unbalanced quote',
    "vacc*",
    "a^2 ^b",
    "-vaccine +autism",
    "title:vaccine",
    "claimant : trump",
    "(vaccine OR autism) AND NOT covid",
    "NEAR(vaccine autism, 5)",
    "vaccine & autism | !covid <-> x:*",
    "' OR 1=1 --",
    "'; DROP TABLE claims; --",
    "{}[]\\/@#$%~`",
    "l'",
    "''''",
    "\x00\x01\x1f\x7f\u200b\u2028",
    "😀👍🏽🇫🇷",
    "e\u0301\u0301\u0301",
    "\u0301\u0302 alone",
    "ـــ",
    "a" * 10_000,
    " ".join(["word"] * 5_000),
]


class TestQueries:
    @pytest.mark.parametrize("language", [None, "en", "fr", "zh", "ar", "xx"])
    @pytest.mark.parametrize("query", OPERATOR_LOOKING_QUERIES)
    def test_operator_looking_queries_give_only_safe_tokens(
        self, query: str, language: str | None
    ) -> None:
        terms = analyze_query(query, language)
        assert len(terms) <= MAX_QUERY_TERMS
        for term in terms:
            assert term.alternatives
            for token in term.alternatives:
                assert SAFE.match(token)
                assert len(token) <= MAX_TOKEN_CHARS

    def test_operators_are_plain_words(self) -> None:
        terms = analyze_query('"vaccine" AND autism* NOT (covid)', "en")
        assert [t.alternatives for t in terms] == [
            ("vaccin",),
            ("and",),
            ("autism",),
            ("not",),
            ("covid",),
        ]

    def test_terms_beyond_the_cap_are_dropped(self) -> None:
        words = [f"w{i}" for i in range(100)]
        terms = analyze_query(" ".join(words), None)
        assert [t.alternatives for t in terms] == [(w,) for w in words[:MAX_QUERY_TERMS]]

    def test_a_repeated_term_is_kept_once(self) -> None:
        assert analyze_query("vaccin vaccins Vaccin", "fr") == [QueryTerm(("vaccin",))]

    def test_a_query_of_nothing_searchable_has_no_terms(self) -> None:
        assert analyze_query(' "" ** -- :: ', None) == []

    def test_alternatives_are_sorted_and_unique(self) -> None:
        for term in analyze_query("Vaccinations élections eleições Impfungen", None):
            assert list(term.alternatives) == sorted(set(term.alternatives))


class TestThreads:
    def test_concurrent_analysis_gives_the_same_tokens(self) -> None:
        texts = [
            (f"Les vaccins contactés {i} vacinações Impfungen नरेन्द्र 疫苗{i}", lang)
            for i in range(200)
            for lang in ("fr", "pt", "de", "hi", None)
        ]
        expected = [analyze(t, lang) for t, lang in texts]
        barrier = threading.Barrier(4)

        def run(offset: int) -> list[list[str]]:
            barrier.wait()
            return [analyze(t, lang) for t, lang in texts[offset:] + texts[:offset]]

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run, [0, 250, 500, 750]))
        for offset, result in zip([0, 250, 500, 750], results, strict=True):
            assert result == expected[offset:] + expected[:offset]


# --- Properties -------------------------------------------------------------------------------

LANGUAGES = st.sampled_from(
    [
        "en",
        "fr",
        "es",
        "pt-BR",
        "de",
        "it",
        "ar",
        "hi",
        "bn",
        "zh-Hant",
        "ja",
        "ru",
        "el",
        "tr",
        "xx",
        None,
    ]
)
# Characters chosen to meet every path: accents precomposed and combining, apostrophes,
# elisions, harakat, Indic signs, joiners, CJK, symbols, operators, controls.
CHARACTERS = st.sampled_from(
    [
        *"aelsdtquLDÉéèàçñüößøœİıΆάЁёйि्ाক্া'’ʼ＇ -*\"^:()_.,\t\n\x00\x7f",
        *"\u0301\u064e\u0640\u200c\u200d\u00ad\ufe0f\u0651",
        *"安倍晉三癌症ワクチンコーヒー한국어½Ⅻﬁ😀",
    ]
)
PIECES = st.sampled_from(["l'", "d'", "qu'", "dell'", "un'", " AND ", " OR ", " NEAR ", '"a b"'])
INTERESTING = st.lists(st.one_of(CHARACTERS, PIECES)).map("".join)
TEXTS = st.one_of(st.text(), st.text(CHARACTERS), INTERESTING)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestProperties:
    @SETTINGS
    @given(TEXTS, LANGUAGES)
    def test_analyze_never_raises_and_gives_only_safe_tokens(
        self, text: str, language: str | None
    ) -> None:
        for token in analyze(text, language):
            assert SAFE.match(token)
            assert len(token) <= MAX_TOKEN_CHARS

    @SETTINGS
    @given(TEXTS, LANGUAGES)
    def test_analyze_query_never_raises_and_gives_well_formed_safe_terms(
        self, text: str, language: str | None
    ) -> None:
        terms = analyze_query(text, language)
        assert len(terms) <= MAX_QUERY_TERMS
        assert len(set(terms)) == len(terms)
        for term in terms:
            assert term.alternatives
            assert list(term.alternatives) == sorted(set(term.alternatives))
            for token in term.alternatives:
                assert SAFE.match(token)
                assert len(token) <= MAX_TOKEN_CHARS

    @SETTINGS
    @given(TEXTS, LANGUAGES, st.booleans())
    def test_a_document_is_found_by_its_own_text(
        self, text: str, language: str | None, in_doc_language: bool
    ) -> None:
        assume(analyze_query(text, language if in_doc_language else None))
        assert finds(text, language, text, in_doc_language)

    @SETTINGS
    @given(
        st.lists(
            st.text(st.sampled_from(list("abcdeilnorstuàáâãçèéêëíîïñóôõöúûüÿœæß")), min_size=1),
            min_size=1,
            max_size=8,
        ),
        st.sampled_from(["en", "fr", "es", "pt", "de", "it", "nl", None]),
        st.booleans(),
    )
    def test_accents_never_matter(
        self, words: list[str], language: str | None, in_doc_language: bool
    ) -> None:
        text = " ".join(words)
        assert finds(text, language, strip_accents(text), in_doc_language)
        assert finds(strip_accents(text), language, text, in_doc_language)

    @SETTINGS
    @given(TEXTS, LANGUAGES)
    def test_cutting_into_raw_words_first_gives_the_tokens_of_folding_the_whole_text(
        self, text: str, language: str | None
    ) -> None:
        # The one known difference: a symbol that NFKC spells with letters (™ -> tm).
        assume(not any(spelled_with_letters(c) for c in text))
        assert analyze(text, language) == reference_analyze(text, language)


def reference_analyze(text: str, language: str | None) -> list[str]:
    """The analysis as the rules state it, without the raw-word caches and fast paths."""
    primary = (language or "").replace("_", "-").split("-")[0].lower()
    algorithm = analysis._STEMMER_FOR_LANGUAGE.get(primary)
    folded = fold(text)
    particles = {"fr": analysis._FRENCH_ELISIONS, "it": analysis._ITALIAN_ELISIONS}.get(primary)
    if particles:
        alternatives = "|".join(sorted(particles, key=len, reverse=True))
        folded = regex.sub(rf"(?<![\p{{L}}\p{{M}}\p{{N}}])(?:{alternatives})'", " ", folded)
    tokens: list[str] = []
    for cjk, word in analysis._SUBWORD.findall(folded):
        if cjk:
            tokens += [cjk] if len(cjk) == 1 else [cjk[i : i + 2] for i in range(len(cjk) - 1)]
        elif algorithm:
            tokens.append(analysis._stem(algorithm, word))
        else:
            tokens.append(word[:MAX_TOKEN_CHARS])
    return tokens
