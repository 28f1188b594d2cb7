"""URL normalisation: which addresses count as the same page, and which are refused."""

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.rules.urls import MAX_URL_LENGTH, InvalidURL, is_http_url, normalize_url

VIDEO = "dQw4w9WgXcQ"
OTHER_VIDEO = "9bZkp7q19f0"

SAME_PAGE = [
    # Scheme, host and port
    pytest.param("http://example.com/a", "https://example.com/a", id="http-equals-https"),
    pytest.param("HTTPS://example.com/a", "https://example.com/a", id="scheme-case"),
    pytest.param("https://EXAMPLE.Com/a", "https://example.com/a", id="host-case"),
    pytest.param("https://www.example.com/a", "https://example.com/a", id="www-prefix"),
    pytest.param("https://m.example.com/a", "https://example.com/a", id="m-prefix"),
    pytest.param("https://mobile.example.com/a", "https://example.com/a", id="mobile-prefix"),
    pytest.param("https://amp.theguardian.com/w/x", "https://theguardian.com/w/x", id="amp-prefix"),
    pytest.param("https://www.m.example.com/a", "https://example.com/a", id="stacked-prefixes"),
    pytest.param("https://example.com./a", "https://example.com/a", id="trailing-dot-on-host"),
    pytest.param("http://example.com:80/a", "https://example.com/a", id="default-port-80"),
    pytest.param("https://example.com:443/a", "https://example.com/a", id="default-port-443"),
    pytest.param("http://example.com:0080/a", "https://example.com/a", id="port-leading-zeros"),
    pytest.param("https://user:pw@example.com/a", "https://example.com/a", id="credentials"),
    pytest.param("https://bücher.example/a", "https://xn--bcher-kva.example/a", id="idn-host"),
    pytest.param("https://BÜCHER.example/a", "https://xn--bcher-kva.example/a", id="idn-case"),
    pytest.param("http://[0:0:0:0:0:0:0:1]/a", "http://[::1]/a", id="ipv6-spelling"),
    # Scheme-less and padded input
    pytest.param("aosfatos.org/noticias/x/", "https://www.aosfatos.org/noticias/x", id="no-scheme"),
    pytest.param("example.com:8080/a", "http://example.com:8080/a", id="no-scheme-with-port"),
    pytest.param("//example.com/a", "https://example.com/a", id="protocol-relative"),
    pytest.param("  https://example.com/a\n", "https://example.com/a", id="padding-whitespace"),
    # Path
    pytest.param("https://example.com/a/", "https://example.com/a", id="trailing-slash"),
    pytest.param("https://example.com/", "https://example.com", id="root-slash"),
    pytest.param("https://example.com/a//", "https://example.com/a", id="several-trailing-slashes"),
    pytest.param("https://example.com/a/./b/../c", "https://example.com/a/c", id="dot-segments"),
    pytest.param("https://example.com/a/%2E%2E/b", "https://example.com/b", id="encoded-dots"),
    pytest.param("https://example.com/a#top", "https://example.com/a", id="fragment"),
    pytest.param("https://example.com/a#", "https://example.com/a", id="empty-fragment"),
    # Percent-encoding
    pytest.param("https://example.com/%7euser", "https://example.com/~user", id="tilde-escape"),
    pytest.param("https://example.com/%41bc", "https://example.com/Abc", id="letter-escape"),
    pytest.param("https://example.com/a%2fb", "https://example.com/a%2Fb", id="hex-case"),
    pytest.param("https://example.com/caf%C3%A9", "https://example.com/café", id="utf8-escape"),
    pytest.param("https://example.com/caf%c3%a9", "https://example.com/café", id="utf8-lower-hex"),
    pytest.param("https://example.com/a b", "https://example.com/a%20b", id="literal-space"),
    pytest.param("https://example.com/?q=é", "https://example.com/?q=%C3%A9", id="utf8-in-query"),
    # Query
    pytest.param("https://example.com/?b=2&a=1", "https://example.com/?a=1&b=2", id="param-order"),
    pytest.param("https://example.com/a?", "https://example.com/a", id="empty-query"),
    pytest.param("https://example.com/?a=1&&b=2", "https://example.com/?a=1&b=2", id="empty-param"),
    pytest.param("https://example.com/?a=", "https://example.com/?a", id="empty-value"),
    pytest.param("https://example.com/?p=7", "https://example.com/?p=7&utm_source=x", id="utm"),
    pytest.param("https://example.com/a?UTM_Campaign=x", "https://example.com/a", id="utm-case"),
    pytest.param("https://example.com/a?fbclid=IwAR0", "https://example.com/a", id="fbclid"),
    pytest.param("https://example.com/a?gclid=1&dclid=2", "https://example.com/a", id="gclid"),
    pytest.param("https://example.com/a?gbraid=1&wbraid=2", "https://example.com/a", id="gbraid"),
    pytest.param("https://example.com/a?msclkid=1&yclid=2", "https://example.com/a", id="msclkid"),
    pytest.param(
        "https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a", id="mailchimp"
    ),
    pytest.param(
        "https://example.com/a?_ga=1&_gl=2", "https://example.com/a", id="google-analytics"
    ),
    pytest.param("https://example.com/a?twclid=1", "https://example.com/a", id="twclid"),
    pytest.param("https://example.com/a?ref_src=twsrc", "https://example.com/a", id="ref-src"),
    pytest.param("https://example.com/a?id=5&igshid=x", "https://example.com/a?id=5", id="igshid"),
    # AMP copies
    pytest.param("https://example.com/n/x/amp/", "https://example.com/n/x", id="amp-segment"),
    pytest.param("https://example.com/n/x/amp", "https://example.com/n/x", id="amp-suffix"),
    pytest.param("https://example.com/n/x?amp", "https://example.com/n/x", id="amp-flag"),
    pytest.param("https://example.com/n/x?amp=1", "https://example.com/n/x", id="amp-flag-1"),
    pytest.param("https://example.com/n/x?outputType=amp", "https://example.com/n/x", id="output"),
    pytest.param("https://example.com/n/x.amp.html", "https://example.com/n/x.html", id="amp-html"),
    pytest.param(
        "https://www.google.com/amp/s/example.com/n/x",
        "https://example.com/n/x",
        id="google-amp-cache",
    ),
    pytest.param(
        "https://www.google.com/amp/s/www.example.com/n/x/amp/?utm_source=g",
        "https://example.com/n/x",
        id="google-amp-cache-of-amp-page",
    ),
    pytest.param(
        "https://www.google.com/amp/s/" * 3 + "example.com/n/x",
        "https://example.com/n/x",
        id="nested-amp-caches",
    ),
    pytest.param(
        "https://example-com.cdn.ampproject.org/c/s/example.com/n/x",
        "https://example.com/n/x",
        id="ampproject-cache",
    ),
    pytest.param(
        "https://example-com.cdn.ampproject.org/c/example.com/n/x.amp.html",
        "http://example.com/n/x.html",
        id="ampproject-cache-http-form",
    ),
    # Twitter / X
    pytest.param(
        "https://twitter.com/user/status/123?s=20&t=abc",
        "https://twitter.com/user/status/123",
        id="twitter-share-params",
    ),
    pytest.param(
        "https://x.com/user/status/123", "https://twitter.com/user/status/123", id="x-is-twitter"
    ),
    pytest.param(
        "https://mobile.twitter.com/user/status/123",
        "https://twitter.com/user/status/123",
        id="mobile-twitter",
    ),
    pytest.param(
        "https://twitter.com/AosFatos/status/123",
        "https://twitter.com/aosfatos/status/123",
        id="twitter-user-case",
    ),
    pytest.param(
        "https://twitter.com/someone/status/123",
        "https://twitter.com/renamed/status/123",
        id="tweet-id-is-global",
    ),
    pytest.param(
        "https://twitter.com/i/web/status/123",
        "https://x.com/user/status/123",
        id="twitter-web-status",
    ),
    pytest.param(
        "https://twitter.com/user/status/123/photo/1",
        "https://twitter.com/user/status/123",
        id="tweet-photo-view",
    ),
    pytest.param(
        "https://twitter.com/user/statuses/123",
        "https://twitter.com/user/status/123",
        id="tweet-statuses",
    ),
    pytest.param(
        "https://twitter.com/#!/user/status/123",
        "https://twitter.com/user/status/123",
        id="twitter-hashbang",
    ),
    pytest.param("https://twitter.com/AosFatos", "https://x.com/aosfatos", id="twitter-profile"),
    # YouTube
    pytest.param(
        f"https://youtu.be/{VIDEO}", f"https://www.youtube.com/watch?v={VIDEO}", id="youtu-be"
    ),
    pytest.param(
        f"https://youtube.com/shorts/{VIDEO}", f"https://youtube.com/watch?v={VIDEO}", id="shorts"
    ),
    pytest.param(
        f"https://www.youtube.com/embed/{VIDEO}", f"https://youtube.com/watch?v={VIDEO}", id="embed"
    ),
    pytest.param(
        f"https://www.youtube-nocookie.com/embed/{VIDEO}",
        f"https://youtube.com/watch?v={VIDEO}",
        id="embed-nocookie",
    ),
    pytest.param(
        f"https://m.youtube.com/watch?v={VIDEO}&feature=share",
        f"https://youtube.com/watch?v={VIDEO}",
        id="youtube-mobile-share",
    ),
    pytest.param(
        f"https://youtube.com/watch?v={VIDEO}&t=42s",
        f"https://youtube.com/watch?v={VIDEO}",
        id="youtube-time-offset",
    ),
    pytest.param(
        f"https://youtu.be/{VIDEO}?si=AbC&t=3",
        f"https://youtube.com/watch?v={VIDEO}",
        id="youtu-be-share-params",
    ),
    pytest.param(
        f"https://www.youtube.com/live/{VIDEO}?feature=shared",
        f"https://youtube.com/watch?v={VIDEO}",
        id="youtube-live",
    ),
    # Facebook, Instagram, Spotify
    pytest.param(
        "https://fb.com/story.php?story_fbid=1&id=2",
        "https://www.facebook.com/story.php?id=2&story_fbid=1",
        id="fb-com",
    ),
    pytest.param(
        "https://m.facebook.com/story.php?story_fbid=1&id=2&__tn__=%2CO",
        "https://facebook.com/story.php?story_fbid=1&id=2",
        id="facebook-mobile-and-tn",
    ),
    pytest.param(
        "https://www.facebook.com/page/posts/9?__cft__[0]=AZX&__tn__=-R",
        "https://facebook.com/page/posts/9",
        id="facebook-cft",
    ),
    pytest.param(
        "https://www.facebook.com/page/posts/9?__cft__%5B0%5D=AZX",
        "https://facebook.com/page/posts/9",
        id="facebook-cft-escaped",
    ),
    pytest.param("https://instagr.am/p/CODE/", "https://www.instagram.com/p/CODE", id="instagr-am"),
    pytest.param(
        "https://www.instagram.com/reel/CODE/?igsh=x",
        "https://instagram.com/p/CODE",
        id="instagram-reel",
    ),
    pytest.param(
        "https://open.spotify.com/episode/X?si=abc",
        "https://open.spotify.com/episode/X",
        id="spotify-si",
    ),
    # Several folds at once, as found in real markup
    pytest.param(
        "http://WWW.AosFatos.org:80/noticias/x/amp/?utm_source=twitter&fbclid=1#comments",
        "aosfatos.org/noticias/x",
        id="combined",
    ),
]

DIFFERENT_PAGES = [
    pytest.param("https://example.com/About", "https://example.com/about", id="path-case"),
    pytest.param("https://example.com/a%2Fb", "https://example.com/a/b", id="escaped-slash"),
    pytest.param("https://example.com/a+b", "https://example.com/a%20b", id="plus-in-path"),
    pytest.param("https://example.com/caf%C3%A9", "https://example.com/cafe", id="accent"),
    pytest.param("https://example.com/a", "https://example.org/a", id="different-tld"),
    pytest.param("https://news.example.com/a", "https://example.com/a", id="subdomain"),
    pytest.param("https://www2.example.com/a", "https://example.com/a", id="www2-is-not-www"),
    pytest.param("https://bücher.example/a", "https://bucher.example/a", id="idn-vs-ascii"),
    pytest.param("http://example.com/a", "http://example.com:8080/a", id="other-port"),
    pytest.param("https://example.com/amp/x", "https://example.com/x", id="amp-not-last"),
    pytest.param("https://example.com/?p=1", "https://example.com/?p=2", id="wordpress-p"),
    pytest.param("https://example.com/?page=2", "https://example.com/", id="unknown-param"),
    pytest.param("https://example.com/?q=Abc", "https://example.com/?q=abc", id="value-case"),
    pytest.param("https://example.com/?Q=1", "https://example.com/?q=1", id="name-case"),
    pytest.param("https://example.com/?a=1&a=2", "https://example.com/?a=2&a=1", id="repeats"),
    pytest.param("https://example.com/?s=fake", "https://example.com/", id="s-off-twitter"),
    pytest.param("https://example.com/v?t=9", "https://example.com/v", id="t-off-twitter"),
    pytest.param("https://example.com/x?si=1", "https://example.com/x", id="si-off-youtube"),
    pytest.param("https://example.com/x?amp=no", "https://example.com/x", id="amp-other-value"),
    pytest.param(
        f"https://youtube.com/watch?v={VIDEO}",
        f"https://youtube.com/watch?v={OTHER_VIDEO}",
        id="youtube-v",
    ),
    pytest.param(
        f"https://youtube.com/@{VIDEO}", f"https://youtu.be/{VIDEO}", id="youtube-channel"
    ),
    pytest.param(
        "https://youtube.com/channel/UC123", "https://youtube.com/watch?v=UC123", id="channel-id"
    ),
    pytest.param(
        "https://facebook.com/story.php?story_fbid=1&id=2",
        "https://facebook.com/story.php?story_fbid=1&id=3",
        id="story-php-id",
    ),
    pytest.param(
        "https://facebook.com/story.php?story_fbid=1&id=2",
        "https://facebook.com/story.php?story_fbid=5&id=2",
        id="story-php-fbid",
    ),
    pytest.param(
        "https://facebook.com/photo.php?fbid=1",
        "https://facebook.com/photo.php?fbid=2",
        id="photo-php-fbid",
    ),
    pytest.param(
        "https://twitter.com/user/status/123",
        "https://twitter.com/user/status/124",
        id="tweet-id",
    ),
    pytest.param(
        "https://twitter.com/user", "https://twitter.com/user/status/1", id="profile-vs-tweet"
    ),
    pytest.param(
        "https://twitter.com/user/status/1/likes",
        "https://twitter.com/user/status/1",
        id="tweet-likes-page",
    ),
    pytest.param("https://instagram.com/p/ABC", "https://instagram.com/p/abc", id="post-code"),
    pytest.param("https://m.me/page", "https://me.example/page", id="m-me-kept-whole"),
]


class TestEquivalentAddressesShareAKey:
    @pytest.mark.parametrize(("first", "second"), SAME_PAGE)
    def test_both_addresses_give_the_same_key(self, first: str, second: str) -> None:
        assert normalize_url(first) == normalize_url(second)

    def test_the_table_is_large_enough(self) -> None:
        assert len(SAME_PAGE) >= 60


class TestDistinctAddressesKeepDistinctKeys:
    @pytest.mark.parametrize(("first", "second"), DIFFERENT_PAGES)
    def test_the_keys_differ(self, first: str, second: str) -> None:
        assert normalize_url(first) != normalize_url(second)

    def test_the_table_is_large_enough(self) -> None:
        assert len(DIFFERENT_PAGES) >= 20


# Four labels, 253 characters: the longest host name DNS allows.
_LONGEST_HOST = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])


class TestKeyShape:
    @pytest.mark.parametrize(
        ("url", "key"),
        [
            pytest.param(
                "https://www.example.com/path/?b=2&a=1", "example.com/path?a=1&b=2", id="plain"
            ),
            pytest.param("https://example.com/", "example.com", id="root"),
            pytest.param("https://example.com/?a=1", "example.com?a=1", id="root-with-query"),
            pytest.param("http://example.com:8080/a", "example.com:8080/a", id="port"),
            pytest.param("https://x.com/Someone/status/42", "twitter.com/i/status/42", id="tweet"),
            pytest.param(
                f"https://youtu.be/{VIDEO}?t=1", f"youtube.com/watch?v={VIDEO}", id="video"
            ),
            pytest.param("https://bücher.example/", "xn--bcher-kva.example", id="idn-as-ascii"),
            pytest.param("https://example.com/caf%C3%A9", "example.com/café", id="readable-utf8"),
            pytest.param("https://example.com/%E2%80%8B", "example.com/%E2%80%8B", id="invisible"),
            pytest.param("https://example.com/%FF", "example.com/%FF", id="not-utf8"),
            pytest.param("https://example.com/100%", "example.com/100%25", id="lone-percent"),
            pytest.param("https://example.com/a%2fb", "example.com/a%2Fb", id="reserved-escape"),
            pytest.param("http://[::1]/a", "[::1]/a", id="ipv6"),
            pytest.param("http://192.0.2.1/a", "192.0.2.1/a", id="ipv4"),
            pytest.param("https://m.me/page", "m.me/page", id="prefix-kept-before-a-tld"),
            pytest.param(
                "https://www.google.com/amp/topics/", "google.com/amp/topics", id="not-an-amp-copy"
            ),
            pytest.param("http://[::1]:8080/a", "[::1]:8080/a", id="ipv6-with-port"),
            pytest.param("http://example.com:65535/a", "example.com:65535/a", id="highest-port"),
            pytest.param(
                "https://a.html.example/x", "a.html.example/x", id="file-word-inside-host"
            ),
            pytest.param(f"https://{_LONGEST_HOST}/", _LONGEST_HOST, id="host-of-253-characters"),
            pytest.param(
                "//user:pw@example.com/a", "example.com/a", id="credentials-after-slashes"
            ),
            pytest.param("https://example.com/a%4", "example.com/a%254", id="percent-at-the-end"),
            pytest.param("https://example.com/%C3%80", "example.com/À", id="utf8-byte-0x80"),
            pytest.param("https://example.com/MAX/", "example.com/MAX", id="path-ending-in-x"),
            pytest.param("https://example.com/a?=", "example.com/a", id="bare-equals-sign"),
            pytest.param(
                "https://example.com/?utm_source=x&p=7", "example.com?p=7", id="tracking-first"
            ),
            pytest.param(
                "https://example.com/?next=https://x.example/",
                "example.com?next=https://x.example/",
                id="url-in-query",
            ),
            pytest.param("https://twitter.com/Someone", "twitter.com/someone", id="twitter-user"),
            pytest.param("https://twitter.com/A%2FB", "twitter.com/A%2FB", id="twitter-escape"),
            pytest.param(
                "https://twitter.com/someone/status/abc",
                "twitter.com/someone/status/abc",
                id="tweet-id-not-a-number",
            ),
            pytest.param(
                "https://twitter.com/someone/status/1/retweets/with_comments",
                "twitter.com/someone/status/1/retweets/with_comments",
                id="tweet-subpage",
            ),
            pytest.param("https://youtu.be/abc", "youtu.be/abc", id="not-a-video-id"),
            pytest.param(
                "https://www.youtube.com/c/GlobalNews1",
                "youtube.com/c/GlobalNews1",
                id="channel-named-like-a-video",
            ),
            pytest.param(
                f"https://youtu.be/{VIDEO}?v={OTHER_VIDEO}&lang=pt",
                f"youtube.com/watch?lang=pt&v={VIDEO}",
                id="video-in-path-wins-over-v",
            ),
            pytest.param(
                "https://instagram.com/someone/p/ABC", "instagram.com/p/ABC", id="post-under-user"
            ),
            pytest.param("https://instagram.com/reels/", "instagram.com/reels", id="reels-tab"),
        ],
    )
    def test_key_is_the_readable_scheme_less_form(self, url: str, key: str) -> None:
        assert normalize_url(url) == key

    def test_scheme_less_key_of_a_key_is_itself(self) -> None:
        key = normalize_url("https://www.example.com/a/?utm_source=x&b=2")
        assert normalize_url(key) == key


def _message(url: str) -> str:
    with pytest.raises(InvalidURL) as caught:
        normalize_url(url)
    return str(caught.value)


class TestRejectedInput:
    @pytest.mark.parametrize(
        ("url", "explanation"),
        [
            pytest.param("", "empty", id="empty"),
            pytest.param("   \n", "empty", id="only-whitespace"),
            pytest.param("javascript:alert(1)", "scheme 'javascript'", id="javascript"),
            pytest.param("JavaScript:alert(1)", "scheme 'javascript'", id="javascript-case"),
            pytest.param("data:text/html,<b>x</b>", "scheme 'data'", id="data"),
            pytest.param("mailto:desk@example.com", "scheme 'mailto'", id="mailto"),
            pytest.param("ftp://example.com/file", "scheme 'ftp'", id="ftp"),
            pytest.param("file:///etc/passwd", "scheme 'file'", id="file"),
            pytest.param("/noticias/x", "relative", id="relative-path"),
            pytest.param("?q=1", "relative", id="relative-query"),
            pytest.param("noticias/x", "host", id="relative-without-slash"),
            pytest.param("desk@example.com", "e-mail", id="email-address"),
            pytest.param("http://", "no host", id="no-host"),
            pytest.param("https:///a", "no host", id="empty-host"),
            pytest.param("http://:80/a", "no host", id="port-without-host"),
            pytest.param("http:example.com", "'//'", id="no-double-slash"),
            pytest.param("http://exa mple.com/", "host name", id="space-in-host"),
            pytest.param("http://example..com/", "host name", id="empty-label"),
            pytest.param("http://example.com\\evil/", "host name", id="backslash-in-host"),
            pytest.param(f"http://{'a' * 64}.com/", "host name", id="label-too-long"),
            pytest.param("http://localhost/", "no dot", id="single-label-host"),
            pytest.param("index.html", "host name", id="file-name-without-scheme"),
            pytest.param("http://999.1.1.1/", "IPv4", id="bad-ipv4"),
            pytest.param("http://[::g]/", "IPv6", id="bad-ipv6"),
            pytest.param("http://[::1/", "unclosed", id="unclosed-bracket"),
            pytest.param("http://[fe80::1%25eth0]/", "IPv6", id="ipv6-zone"),
            pytest.param("http://xn--zz.com/", "internationalised", id="bad-punycode"),
            pytest.param("http://☃☃\u0000.com/", "control character", id="nul-in-host"),
            pytest.param("http://example.com:http/", "not a number", id="port-not-number"),
            pytest.param("http://example.com:99999/", "out of range", id="port-out-of-range"),
            pytest.param("https://example.com/a\tb", "U+0009", id="tab"),
            pytest.param("https://example.com/a\nb", "U+000A", id="newline-inside"),
            pytest.param("https://example.com/\x7f", "U+007F", id="delete"),
            pytest.param("https://example.com/a\x85b", "U+0085", id="c1-control"),
            pytest.param("https://example.com/\ud800", "invalid Unicode", id="lone-surrogate"),
            pytest.param(
                "https://example.com/" + "a" * MAX_URL_LENGTH, "longer than 2048", id="too-long"
            ),
            pytest.param(
                "https://example.com/" + "\u200b" * 1000, "once normalised", id="grows-too-long"
            ),
        ],
    )
    def test_is_refused_with_an_explanation(self, url: str, explanation: str) -> None:
        message = _message(url)
        assert explanation in message
        assert "\n" not in message
        assert len(message) < 200
        assert "Error" not in message  # no leaked exception names such as UnicodeError

    def test_invalid_url_is_a_value_error_for_generic_handlers(self) -> None:
        assert issubclass(InvalidURL, ValueError)

    def test_message_shows_only_the_start_of_a_long_input(self) -> None:
        message = _message("noticias/" + "x" * 1000)
        assert len(message) < 200


class TestRefusalMessages:
    """The exact reasons, as the API sends them: each names what is wrong and shows the input."""

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            (42, "URL must be text, not int"),
            ([1], "URL must be text, not list"),
            ("", "URL is empty"),
            ("https://example.com/" + "a" * 2029, "URL is longer than 2048 characters (2049)"),
            (
                "https://example.com/a\tb",
                "URL contains a control character (U+0009) at position 22",
            ),
            ("https://example.com/\ud800", "URL contains invalid Unicode at position 21"),
            (
                "ftp://example.com/file",
                "URL scheme 'ftp' is not supported; only http and https URLs are accepted",
            ),
            (
                "s3://bucket/key",
                "URL scheme 's3' is not supported; only http and https URLs are accepted",
            ),
            (
                "XMPP:desk@example.com",
                "URL scheme 'xmpp' is not supported; only http and https URLs are accepted",
            ),
            (
                "localhost:80X/a",
                "URL scheme 'localhost' is not supported; only http and https URLs are accepted",
            ),
            ("http:example.com", "URL has no host: expected '//' after 'http:'"),
            ("/noticias/x", "URL is relative (no scheme and no host): '/noticias/x'"),
            ("#top", "URL is relative (no scheme and no host): '#top'"),
            (
                "user_name:secret@example.com",
                "URL has no scheme and looks like an e-mail address: "
                "'user_name:secret@example.com'",
            ),
            ("http://[::1/", "URL has an unclosed '[' in its host: '[::1'"),
            ("http://[::1]x/", "URL has text after its IPv6 address: '[::1]x'"),
            ("http://[::1]]/", "URL has text after its IPv6 address: '[::1]]'"),
            ("http:///a", "URL has no host"),
            (":8080/x", "URL has no scheme and does not start with a host: ':8080/x'"),
            (
                "noticias/x",
                "URL has no scheme and does not start with a valid host name: 'noticias/x'",
            ),
            (
                "1http://example.com/",
                "URL has no scheme and does not start with a valid host name: "
                "'1http://example.com/'",
            ),
            (
                "localhost:8/a",
                "URL has no scheme and does not start with a valid host name: 'localhost:8/a'",
            ),
            ("example.com:abc/", "URL port 'abc' is not a number"),
            ("http://example.com:65536/", "URL port 65536 is out of range (0-65535)"),
            ("http://[fe80::1%25eth0]/", "'[fe80::1%25eth0]' is not a public IPv6 address"),
            ("http://[::g]/", "'[::g]' is not a valid IPv6 address"),
            (
                "http://" + "ü" * 64 + ".com/",
                repr("ü" * 64 + ".com") + " is not a valid host name",
            ),
            ("http://exa mple.com/", "'exa mple.com' is not a valid host name"),
            ("http://localhost/", "'localhost' is not a public host name (it has no dot)"),
            ("http://999.1.1.1/", "'999.1.1.1' is not a valid IPv4 address"),
            ("http://index.html/", "'index.html' looks like a file name, not a host name"),
            ("http://xn--zz.com/", "'xn--zz.com' is not a valid internationalised host name"),
        ],
    )
    def test_each_refusal_says_exactly_why(self, url: str, message: str) -> None:
        with pytest.raises(InvalidURL) as caught:
            normalize_url(url)
        assert str(caught.value) == message
        # The message, with its catalogue id, is what the web app translates.
        assert caught.value.message == message
        assert caught.value.message.msgid.startswith(("URL ", "{host} "))

    def test_an_input_of_80_characters_is_shown_whole(self) -> None:
        host = "a" * 64 + "." + "b" * 15
        assert _message(f"http://{host}/") == f"{host!r} is not a valid host name"

    def test_a_longer_input_is_shown_cut_to_79_characters_and_an_ellipsis(self) -> None:
        host = "a" * 64 + "." + "b" * 16
        shown = repr(host[:79] + "…")
        assert _message(f"http://{host}/") == f"{shown} is not a valid host name"
        host = _LONGEST_HOST + "d"
        shown = repr(host[:79] + "…")
        assert _message(f"http://{host}/") == f"{shown} is not a valid host name"


class TestIsHttpUrl:
    @pytest.mark.parametrize(
        "url",
        [
            "https://example.com",
            "http://example.com/a?b=c#d",
            "HTTPS://EXAMPLE.COM/",
            "https://bücher.example/",
            "http://192.0.2.1/",
            "https://example.com:8443/a",
            "https://example.com/?next=ftp://x.example/",
            "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/")),
        ],
    )
    def test_accepts_absolute_http_urls(self, url: str) -> None:
        assert is_http_url(url)

    @pytest.mark.parametrize(
        "url",
        [
            pytest.param("javascript:alert(1)", id="javascript"),
            pytest.param("data:text/html,x", id="data"),
            pytest.param("ftp://example.com/", id="ftp"),
            pytest.param("mailto:desk@example.com", id="mailto"),
            pytest.param("/relative/path", id="relative"),
            pytest.param("example.com/a", id="scheme-less"),
            pytest.param("//example.com/a", id="protocol-relative"),
            pytest.param("example.com/?next=https://x.example/", id="scheme-less-with-url-inside"),
            pytest.param("", id="empty"),
            pytest.param("http://", id="no-host"),
            pytest.param("http:example.com", id="no-double-slash"),
            pytest.param("https://localhost/", id="single-label-host"),
            pytest.param("https://exa mple.com/", id="invalid-host"),
            pytest.param(" https://example.com/", id="leading-space"),
            pytest.param("https://example.com/a\nb", id="control-character"),
            pytest.param(
                "https://example.com/" + "a" * (MAX_URL_LENGTH + 1 - len("https://example.com/")),
                id="over-2048",
            ),
        ],
    )
    def test_rejects_everything_else(self, url: str) -> None:
        assert not is_http_url(url)

    def test_rejects_values_that_are_not_text(self) -> None:
        assert not is_http_url(None)  # type: ignore[arg-type]


# --- Properties ---------------------------------------------------------------------------

_LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
_HOST = st.one_of(
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["", "www.", "m.", "amp.", "WWW."]),
            _LABEL,
            st.sampled_from([".com", ".org", ".com.br", ".example", ".de"]),
        ),
    ),
    st.sampled_from(
        [
            "bücher.example",
            "xn--bcher-kva.example",
            "twitter.com",
            "x.com",
            "youtube.com",
            "youtu.be",
            "m.facebook.com",
            "instagram.com",
            "www.google.com",
            "example-com.cdn.ampproject.org",
            "192.0.2.7",
            "[2001:db8::1]",
        ]
    ),
)
_PATH_CHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/% éü€\u200b"
_SEGMENT = st.one_of(
    st.text(_PATH_CHARS, max_size=12),
    st.sampled_from(
        ["amp", "status", "i", "web", "s", "c", "p", "reel", "shorts", "embed", VIDEO, "..", "."]
    ),
    st.builds(lambda byte: f"%{byte:02x}", st.integers(0, 255)),
)
_PARAM_NAME = st.one_of(
    st.text(string.ascii_letters + "_[]%", min_size=1, max_size=8),
    st.sampled_from(["v", "t", "s", "si", "amp", "utm_source", "fbclid", "id", "p", "__cft__[0]"]),
)
_PARAM = st.builds(
    lambda name, value: f"{name}={value}" if value is not None else name,
    _PARAM_NAME,
    st.none() | st.text(_PATH_CHARS.replace("&", ""), max_size=10),
)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http://", "https://", "HTTPS://", "//", ""]))
    host = draw(_HOST)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":0"]))
    path = "/".join(draw(st.lists(_SEGMENT, max_size=6)))
    params: list[str] = draw(st.lists(_PARAM, max_size=5))
    empty_query = draw(st.booleans())
    query = "?" + "&".join(params) if params or empty_query else ""
    fragment = draw(st.sampled_from(["", "#", "#top", "#!/user/status/5"]))
    return f"{scheme}{host}{port}/{path}{query}{fragment}"


_URLISH_TEXT = st.text(
    st.sampled_from([*"htps:/.?#&=%@[]-_~ xX2fF0wm", "é", "\u3002", "\x00", "\ud800"]),
    max_size=60,
)


def _assert_explained(refused: InvalidURL) -> None:
    """A refusal carries a short one-line reason fit for an API error, never an internal one."""
    message = str(refused)
    assert message
    assert "\n" not in message
    assert len(message) < 200
    assert "Error" not in message


class TestProperties:
    @given(http_urls())
    def test_the_key_of_a_key_is_the_same_key(self, url: str) -> None:
        try:
            key = normalize_url(url)
        except InvalidURL:
            assume(False)
            raise
        assert normalize_url(key) == key

    @given(st.one_of(st.text(max_size=100), _URLISH_TEXT, _URLISH_TEXT.map("http://".__add__)))
    def test_arbitrary_text_is_either_refused_or_given_a_stable_key(self, text: str) -> None:
        try:
            key = normalize_url(text)
        except InvalidURL as refused:
            _assert_explained(refused)
            assert not is_http_url(text)
        else:
            assert normalize_url(key) == key

    @given(http_urls())
    def test_keys_are_printable_without_spaces_or_fragments(self, url: str) -> None:
        try:
            key = normalize_url(url)
        except InvalidURL as refused:
            _assert_explained(refused)
            assert not is_http_url(url)
        else:
            assert key.isprintable()
            assert " " not in key
            assert "#" not in key
            assert len(key) <= MAX_URL_LENGTH

    @given(http_urls())
    def test_is_http_url_agrees_with_normalize_url_for_explicit_schemes(self, url: str) -> None:
        assume(url.lower().startswith(("http://", "https://")) and url == url.strip())
        try:
            normalize_url(url)
        except InvalidURL:
            assert not is_http_url(url)
        else:
            assert is_http_url(url)
