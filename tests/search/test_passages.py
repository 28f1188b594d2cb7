"""Passages: what a post carries is cleaned off, and only its telling words are kept."""

import pytest

from app.search.passages import MAX_PASSAGE_TERMS, clean_post, is_passage, passage_terms


class TestCleanPost:
    def test_links_and_emoji_go(self) -> None:
        cleaned = clean_post(
            "Look 😳🇨🇦 at this https://t.co/abc123 pic.twitter.com/XyZ 1️⃣ www.x.org/a"
        )
        assert cleaned.split() == ["Look", "at", "this", "1"]

    def test_signature_keeps_the_author_as_words(self) -> None:
        cleaned = clean_post(
            "The CBC deletes Trump from Home Alone 2 — Brad Trost 🇨🇦 (@BradTrostCPC) December 26, 2019"
        )
        assert cleaned.split() == [
            *["The", "CBC", "deletes", "Trump", "from", "Home", "Alone", "2"],
            *["Brad", "Trost", "Brad", "Trost", "CPC"],
        ]

    def test_mentions_and_hashtags_are_split_into_words(self) -> None:
        cleaned = clean_post(
            "@realDonaldTrump said it #FakeNews #COVID19Vaccine #brexit @new_york_post"
        )
        assert cleaned.split() == [
            *["real", "Donald", "Trump", "said", "it", "Fake", "News"],
            *["COVID", "19", "Vaccine", "brexit", "new", "york", "post"],
        ]

    def test_a_hashtag_stuck_to_a_link_loses_the_link(self) -> None:
        assert clean_post("#DefundTheCBChttps://t.co/CsHG8R9cHp").split() == [
            "Defund",
            "The",
            "CBC",
        ]

    def test_an_email_address_is_no_mention(self) -> None:
        assert "example" in clean_post("write to info@example.org").split("@")[-1]


class TestIsPassage:
    @pytest.mark.parametrize("text", ["netflix hoax", "vaccins puce 5G", "安倍晉三患的是癌症"])
    def test_a_few_words_are_a_query(self, text: str) -> None:
        assert not is_passage(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Netflix emailed a subscriber to ask whether he was fine after bingeing",
            "look https://t.co/x",
            "#FakeNews",
            "thanks @someone",
        ],
    )
    def test_a_sentence_or_a_post_is_a_passage(self, text: str) -> None:
        assert is_passage(text)


class TestPassageTerms:
    def test_stop_words_go_and_words_are_stemmed_once(self) -> None:
        # stopwords-iso's English list is long ("contain", "said" are in it): measured the
        # better of the lists tried on the CLEF tweets (app/search/passages.py).
        terms = passage_terms("The vaccines are not what they said: vaccines contain chips", "en")
        assert terms == ["vaccin", "chip"]

    def test_each_language_has_its_own_stop_words(self) -> None:
        terms = passage_terms(
            "Netflix ne contacte pas ses abonnés pour savoir s'ils vont bien", "fr"
        )
        assert "netflix" in terms
        assert not {"ne", "pas", "ses", "pour"} & set(terms)

    def test_language_without_a_list_keeps_every_word(self) -> None:
        assert passage_terms("one two", None) == ["one", "two"]

    def test_terms_are_capped(self) -> None:
        text = " ".join(f"word{n}" for n in range(200))
        assert len(passage_terms(text, "en")) == MAX_PASSAGE_TERMS
