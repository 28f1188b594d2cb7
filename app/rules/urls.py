"""URL normalisation: the one comparison key for every URL the service stores or looks up.

Two URLs that a reader would consider "the same page" (http vs https, `www.`, AMP copies,
tracking parameters, `youtu.be` vs `youtube.com/watch`...) get the same key from
`normalize_url`. The key is not meant to be fetched, but it stays readable and is itself a
valid scheme-less URL, so `normalize_url(normalize_url(u)) == normalize_url(u)`.

Site-specific knowledge lives in the tables at the top; the few rules that must look at a
path's shape (tweets, videos, posts) are small functions listed in SITE_RULES.
"""

import ipaddress
import string
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

from app.messages import Message

MAX_URL_LENGTH = 2048

# --- Hosts -------------------------------------------------------------------------------

# Stripped repeatedly from the front of a host, but never down to a bare TLD (`m.me` stays).
HOST_PREFIXES: tuple[str, ...] = ("www.", "m.", "mobile.", "amp.")

# Host names that serve exactly the same content as another one.
HOST_ALIASES: dict[str, str] = {
    "x.com": "twitter.com",
    "fb.com": "facebook.com",
    "mbasic.facebook.com": "facebook.com",
    "touch.facebook.com": "facebook.com",
    "web.facebook.com": "facebook.com",
    "instagr.am": "instagram.com",
    "youtube-nocookie.com": "youtube.com",
}

# Schemeless input such as "index.html/x" must not be mistaken for a host; none is a TLD.
FILE_EXTENSIONS: frozenset[str] = frozenset(
    {"html", "htm", "shtml", "xhtml", "php", "asp", "aspx", "jsp", "cfm", "cgi"}
)

# --- Query parameters ----------------------------------------------------------------------

# Names are compared lower-cased, percent-decoded, and without a trailing `[n]` index.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "srsltid", "igshid", "igsh", "mc_cid", "mc_eid", "_ga",
        "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url",
    }
)  # fmt: skip
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

_YOUTUBE_PARAMS = frozenset(
    {"si", "feature", "t", "start", "time_continue", "pp", "ab_channel", "app", "list",
     "index", "start_radio"}
)  # fmt: skip

# Extra parameters that carry no meaning on one site (and its subdomains) only: `t` is a
# share token on Twitter but a timestamp or an id elsewhere.
SITE_TRACKING_PARAMS: dict[str, frozenset[str]] = {
    "twitter.com": frozenset({"s", "t", "cn", "ref"}),
    "youtube.com": _YOUTUBE_PARAMS,
    "youtu.be": _YOUTUBE_PARAMS,
    "spotify.com": frozenset({"si", "nd", "context"}),
    "facebook.com": frozenset(
        {"__cft__", "__tn__", "__xts__", "mibextid", "rdid", "sfnsn", "share_id",
         "share_url", "notif_id", "notif_t", "ref", "refsrc", "fref", "hc_ref",
         "hc_location", "paipv", "eav", "_rdr", "_rdc", "comment_tracking", "extid"}
    ),
    "instagram.com": frozenset({"img_index", "hl"}),
    "tiktok.com": frozenset(
        {"is_from_webapp", "sender_device", "sender_web_id", "web_id", "share_id",
         "share_app_id", "share_link_id", "share_item_id", "tt_from", "u_code", "_r", "_t",
         "is_copy_url", "timestamp", "user_id", "sec_user_id", "lang"}
    ),
    "linkedin.com": frozenset({"trk", "trackingid", "lipi", "rcm"}),
}  # fmt: skip

# Query flags that only ask for the AMP rendering of the same article: name -> values.
AMP_QUERY_FLAGS: dict[str, frozenset[str]] = {
    "amp": frozenset({"", "1", "true"}),
    "outputtype": frozenset({"amp"}),
}

# --- Paths ----------------------------------------------------------------------------------

YOUTUBE_VIDEO_PATHS: frozenset[str] = frozenset({"shorts", "embed", "v", "live", "e"})
INSTAGRAM_POST_PATHS: frozenset[str] = frozenset({"p", "reel", "reels", "tv"})
TWITTER_STATUS_WORDS: frozenset[str] = frozenset({"status", "statuses"})
TWITTER_MEDIA_WORDS: frozenset[str] = frozenset({"photo", "video"})

# AMP caches serve a copy of the URL written after these path prefixes (`/s/` = https).
GOOGLE_AMP_PREFIXES: tuple[str, ...] = ("/amp/s/", "/amp/")
AMPPROJECT_CACHE_SUFFIX = ".cdn.ampproject.org"
AMPPROJECT_PREFIXES: tuple[str, ...] = ("/c/s/", "/v/s/", "/c/", "/v/")

# --- Character classes (RFC 3986) -----------------------------------------------------------

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# Reserved characters are meaningful as written: `/` and `%2F` must stay different.
_LITERAL_OK = _UNRESERVED | frozenset("!$&'()*+,;=:@/?")
_HEX = frozenset(string.hexdigits)
_HOST_CHARS = frozenset(string.ascii_lowercase + string.digits + "-_.")
_SCHEME_CHARS = frozenset(string.ascii_letters + string.digits + "+-.")
_YOUTUBE_ID_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_DEFAULT_PORTS = frozenset({80, 443})
_NO_PARAMS: frozenset[str] = frozenset()

Params = list[tuple[str, str]]


class InvalidURL(ValueError):
    """The text cannot be used as a web address; the message says why, in plain words: a
    Message, so that the API sends its English and the web app shows it translated."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def normalize_url(url: str) -> str:
    """The comparison key of an http(s) URL, e.g. `example.com/path?a=1&b=2`.

    Also accepts scheme-less URLs that start with a host (`aosfatos.org/noticias/x/`).
    Raises InvalidURL for anything that is not a usable web address.
    """
    if not isinstance(url, str):
        _clean(url)  # raises
    return _normalized(url)


# An import checks, stores and matches the same few URLs of a record several times over.
@lru_cache(maxsize=4096)
def _normalized(url: str) -> str:
    text = _clean(url)
    rest, explicit = _strip_scheme(text)
    before_fragment, _, fragment = rest.partition("#")
    authority_end = _first_index(before_fragment, "/?")
    authority = before_fragment[:authority_end]
    path, _, query = before_fragment[authority_end:].partition("?")
    host, port = _parse_authority(authority, explicit, text)

    if fragment.startswith("!/") and path in ("", "/"):
        # "#!" URLs (old Twitter, AJAX sites) carry the real path in the fragment.
        path, _, fragment_query = fragment[1:].partition("?")
        query = "&".join(part for part in (query, fragment_query) if part)

    path = _remove_dot_segments(_normalize_component(path))
    embedded = _amp_cache_target(host, path)
    if embedded is not None:
        try:
            return _normalized(f"{embedded}?{query}" if query else embedded)
        except InvalidURL:
            pass  # not a cached copy after all (say "google.com/amp/topics"): an ordinary page
    path = _strip_amp_and_slashes(path)
    params = _parse_query(query)
    site_rule = SITE_RULES.get(host)
    if site_rule is not None:
        host, path, params = site_rule(host, path, params)
    params = _drop_noise(params, _site_tracking_params(host))
    params.sort(key=lambda param: param[0])  # stable: repeated names keep their order

    key = host + (f":{port}" if port else "") + path
    if params:
        key += "?" + "&".join(f"{name}={value}" if value else name for name, value in params)
    # In bytes: the key is indexed, and a PostgreSQL btree entry holds at most 2,704 of them.
    if len(key) > MAX_URL_LENGTH or len(key.encode("utf-8", "surrogatepass")) > MAX_URL_LENGTH:
        raise InvalidURL(
            Message("URL is longer than {limit} bytes once normalised", limit=MAX_URL_LENGTH)
        )
    return key


def is_http_url(url: str) -> bool:
    """True for an absolute `http://` or `https://` URL with a valid host.

    Stricter than `normalize_url`: input validation wants the scheme written out and no
    surrounding whitespace, whereas imported markup is taken as leniently as possible.
    """
    if not isinstance(url, str) or url != url.strip():
        return False
    scheme, separator, _ = url.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return False
    try:
        normalize_url(url)
    except InvalidURL:
        return False
    return True


# --- Splitting ------------------------------------------------------------------------------


def _clean(url: str) -> str:
    if not isinstance(url, str):
        raise InvalidURL(Message("URL must be text, not {kind}", kind=type(url).__name__))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(
            Message(
                "URL is longer than {limit} characters ({length})",
                limit=MAX_URL_LENGTH,
                length=len(url),
            )
        )
    # Markup often pads URLs with spaces or a newline; inside a URL they would be errors.
    text = url.strip()
    if not text:
        raise InvalidURL(Message("URL is empty"))
    if not text.isprintable():
        for position, char in enumerate(text):
            category = unicodedata.category(char)
            if category == "Cc":
                raise InvalidURL(
                    Message(
                        "URL contains a control character (U+{code:04X}) at position {position}",
                        code=ord(char),
                        position=position + 1,
                    )
                )
            if category == "Cs":
                raise InvalidURL(
                    Message(
                        "URL contains invalid Unicode at position {position}",
                        position=position + 1,
                    )
                )
    return text


def _strip_scheme(text: str) -> tuple[str, bool]:
    """The text after `scheme://` or `//`, or all of it; and whether `//` marked the host."""
    end = _first_index(text, ":/?#")
    if end < len(text) and text[end] == ":" and _looks_like_scheme(text, end):
        scheme = text[:end].lower()
        if scheme not in ("http", "https"):
            raise InvalidURL(
                Message(
                    "URL scheme {scheme} is not supported; only http and https URLs are accepted",
                    scheme=repr(scheme),
                )
            )
        after = text[end + 1 :]
        if not after.startswith("//"):
            raise InvalidURL(
                Message("URL has no host: expected '//' after '{scheme}:'", scheme=scheme)
            )
        return after[2:], True
    if text.startswith("//"):
        return text[2:], True
    if text.startswith(("/", "?", "#")):
        raise InvalidURL(
            Message("URL is relative (no scheme and no host): {url}", url=_quote(text))
        )
    return text, False


def _looks_like_scheme(text: str, colon: int) -> bool:
    candidate = text[:colon]
    if not candidate[:1].isalpha() or not candidate.isascii() or "." in candidate:
        # A dot means a host name ("example.com:8080"), which no accepted scheme has.
        return False
    if not _SCHEME_CHARS.issuperset(candidate):
        return False
    after = text[colon + 1 :]
    port = after[: _first_index(after, "/?#")]
    # "localhost:8080/x" is a host and port, not a scheme called "localhost".
    return not (port.isascii() and port.isdigit())


def _first_index(text: str, delimiters: str) -> int:
    end = len(text)
    for delimiter in delimiters:
        index = text.find(delimiter, 0, end)
        if index >= 0:
            end = index
    return end


def _parse_authority(authority: str, explicit: bool, text: str) -> tuple[str, str]:
    _credentials, at, host_port = authority.rpartition("@")
    if at and not explicit:
        raise InvalidURL(
            Message("URL has no scheme and looks like an e-mail address: {url}", url=_quote(text))
        )
    # Credentials are dropped: "http://bank.com@evil.example/" is a page on evil.example.
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            raise InvalidURL(
                Message("URL has an unclosed '[' in its host: {host}", host=_quote(host_port))
            )
        raw_host, after = host_port[: close + 1], host_port[close + 1 :]
        if after and not after.startswith(":"):
            raise InvalidURL(
                Message("URL has text after its IPv6 address: {host}", host=_quote(host_port))
            )
        raw_port = after[1:]
    else:
        raw_host, _, raw_port = host_port.partition(":")
    if not raw_host:
        if explicit:
            raise InvalidURL(Message("URL has no host"))
        raise InvalidURL(
            Message("URL has no scheme and does not start with a host: {url}", url=_quote(text))
        )
    try:
        host = _canonical_host(raw_host)
    except InvalidURL:
        if explicit:
            raise
        raise InvalidURL(
            Message(
                "URL has no scheme and does not start with a valid host name: {url}",
                url=_quote(text),
            )
        ) from None
    return host, _canonical_port(raw_port)


def _canonical_port(raw_port: str) -> str:
    if not raw_port:
        return ""
    if not (raw_port.isascii() and raw_port.isdigit()):
        raise InvalidURL(Message("URL port {port} is not a number", port=_quote(raw_port)))
    number = int(raw_port)
    if number > 65535:
        raise InvalidURL(Message("URL port {port} is out of range (0-65535)", port=number))
    # Both defaults go, whatever the scheme: the scheme itself is not part of the key.
    return "" if number in _DEFAULT_PORTS else str(number)


# --- Hosts ----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _canonical_host(raw_host: str) -> str:
    host = _valid_host(raw_host)
    changed = True
    while changed:
        changed = False
        for prefix in HOST_PREFIXES:
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host = host[len(prefix) :]
                changed = True
    return HOST_ALIASES.get(host, host)


def _valid_host(raw_host: str) -> str:
    if raw_host.startswith("["):
        if "%" in raw_host:  # a zone id only means something on the machine that wrote it
            raise InvalidURL(Message("{host} is not a public IPv6 address", host=_quote(raw_host)))
        try:
            return f"[{ipaddress.IPv6Address(raw_host[1:-1]).compressed}]"
        except ValueError:
            raise InvalidURL(
                Message("{host} is not a valid IPv6 address", host=_quote(raw_host))
            ) from None
    host = raw_host
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidURL(
                Message("{host} is not a valid host name", host=_quote(raw_host))
            ) from None
    host = host.lower().removesuffix(".")
    labels = host.split(".")
    if (
        len(host) > 253
        or not _HOST_CHARS.issuperset(host)
        or not all(0 < len(label) <= 63 for label in labels)
    ):
        raise InvalidURL(Message("{host} is not a valid host name", host=_quote(raw_host)))
    if len(labels) < 2:
        # Only public sites get fact-checked; "localhost" or "intranet" cannot be meant.
        raise InvalidURL(
            Message("{host} is not a public host name (it has no dot)", host=_quote(raw_host))
        )
    top_level = labels[-1]
    if top_level.isdigit():
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise InvalidURL(
                Message("{host} is not a valid IPv4 address", host=_quote(raw_host))
            ) from None
    if top_level in FILE_EXTENSIONS:
        raise InvalidURL(
            Message("{host} looks like a file name, not a host name", host=_quote(raw_host))
        )
    if "xn--" in host:
        try:
            # Decoding checks the punycode and that it round-trips to this same spelling.
            host.encode("ascii").decode("idna")
        except UnicodeError:
            raise InvalidURL(
                Message("{host} is not a valid internationalised host name", host=_quote(raw_host))
            ) from None
    return host


def _site_tracking_params(host: str) -> frozenset[str]:
    """The site table's entry for this host or the nearest parent domain listed."""
    start = 0
    while True:
        params = SITE_TRACKING_PARAMS.get(host[start:])
        if params is not None:
            return params
        dot = host.find(".", start)
        if dot < 0:
            return _NO_PARAMS
        start = dot + 1


# --- Paths ----------------------------------------------------------------------------------


def _normalize_component(text: str) -> str:
    """Canonical percent-encoding of a path or query part.

    Unreserved characters are decoded, other escapes get upper-case hex, characters that
    are not allowed in URLs are encoded, and UTF-8 is shown as the (printable) characters
    it spells so that keys stay readable: `caf%C3%A9` and `café` both become `café`.
    """
    if _LITERAL_OK.issuperset(text):
        return text
    out: list[str] = []
    pending = bytearray()  # bytes >= 0x80, decoded together since UTF-8 spans several
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if (
            char == "%"
            and index + 2 < length
            and text[index + 1] in _HEX
            and text[index + 2] in _HEX
        ):
            byte = int(text[index + 1 : index + 3], 16)
            index += 3
            if byte >= 0x80:
                pending.append(byte)
                continue
            _flush_utf8(pending, out)
            out.append(chr(byte) if chr(byte) in _UNRESERVED else f"%{byte:02X}")
            continue
        index += 1
        if not char.isascii():
            pending += char.encode("utf-8")
            continue
        _flush_utf8(pending, out)
        out.append(char if char in _LITERAL_OK else f"%{ord(char):02X}")
    _flush_utf8(pending, out)
    return "".join(out)


def _flush_utf8(pending: bytearray, out: list[str]) -> None:
    if not pending:
        return
    for char in pending.decode("utf-8", "surrogateescape"):
        if "\udc80" <= char <= "\udcff":  # a byte that is not valid UTF-8
            out.append(f"%{ord(char) - 0xDC00:02X}")
        elif char.isprintable():
            out.append(char)
        else:  # invisible characters (NBSP, zero-width space...) stay visible as escapes
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    pending.clear()


def _remove_dot_segments(path: str) -> str:
    if "/." not in path:
        return path
    segments: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    return "/" + "/".join(segments)


def _strip_amp_and_slashes(path: str) -> str:
    # Repeated until stable so that the key of a key is itself ("/x/amp/amp" -> "/x").
    while True:
        path = path.rstrip("/")
        if path.endswith("/amp"):
            path = path[: -len("/amp")]
        elif path.endswith(".amp.html"):
            path = path[: -len(".amp.html")] + ".html"
        else:
            return path


def _amp_cache_target(host: str, path: str) -> str | None:
    """The scheme-less URL that an AMP cache address serves a copy of, if it is one."""
    if host == "google.com":
        prefixes = GOOGLE_AMP_PREFIXES
    elif host.endswith(AMPPROJECT_CACHE_SUFFIX):
        prefixes = AMPPROJECT_PREFIXES
    else:
        return None
    for prefix in prefixes:
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix) :]
    return None


# --- Query ----------------------------------------------------------------------------------


def _parse_query(query: str) -> Params:
    params: Params = []
    for piece in query.split("&"):
        if not piece or piece == "=":
            continue
        name, _, value = piece.partition("=")
        params.append((_normalize_component(name), _normalize_component(value)))
    return params


def _drop_noise(params: Params, site_params: frozenset[str]) -> Params:
    kept: Params = []
    for name, value in params:
        bare = (unquote(name) if "%" in name else name).lower().partition("[")[0]
        if (
            bare in TRACKING_PARAMS
            or bare in site_params
            or bare.startswith(TRACKING_PREFIXES)
            or value.lower() in AMP_QUERY_FLAGS.get(bare, _NO_PARAMS)
        ):
            continue
        kept.append((name, value))
    return kept


# --- Site rules: several addresses of one post ---------------------------------------------

SiteRule = Callable[[str, str, Params], tuple[str, str, Params]]


def _twitter(host: str, path: str, params: Params) -> tuple[str, str, Params]:
    segments = path.split("/")  # ["", user, "status", id, ...]
    if segments[1:4] == ["i", "web", "status"]:
        del segments[2]  # "/i/web/status/<id>" is "/i/status/<id>" with a user "i"
    if len(segments) >= 4 and segments[2] in TWITTER_STATUS_WORDS and _is_ascii_digits(segments[3]):
        tail = segments[4:]
        if not tail or (
            len(tail) == 2 and tail[0] in TWITTER_MEDIA_WORDS and _is_ascii_digits(tail[1])
        ):
            # A status id is global: the user name in its URL can be any, or outdated.
            return host, f"/i/status/{segments[3]}", params
    if len(segments) > 1 and segments[1].isascii() and "%" not in segments[1]:
        segments[1] = segments[1].lower()  # Twitter user names are case-insensitive
    return host, "/".join(segments), params


def _youtube(host: str, path: str, params: Params) -> tuple[str, str, Params]:
    segments = path.split("/")
    if host == "youtu.be":
        video_id = segments[1] if len(segments) == 2 else ""
    elif len(segments) == 3 and segments[1] in YOUTUBE_VIDEO_PATHS:
        video_id = segments[2]
    else:
        return host, path, params
    if not _is_youtube_id(video_id):
        return host, path, params
    others = [(name, value) for name, value in params if name != "v"]
    return "youtube.com", "/watch", [("v", video_id), *others]


def _instagram(host: str, path: str, params: Params) -> tuple[str, str, Params]:
    segments = path.split("/")
    # "/p/<code>", "/reel/<code>", "/tv/<code>" and "/<user>/p/<code>" show the same post.
    if len(segments) == 4 and segments[2] in INSTAGRAM_POST_PATHS:
        del segments[1]
    if len(segments) == 3 and segments[1] in INSTAGRAM_POST_PATHS:
        return host, f"/p/{segments[2]}", params
    return host, path, params


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _is_youtube_id(text: str) -> bool:
    return len(text) == 11 and _YOUTUBE_ID_CHARS.issuperset(text)


SITE_RULES: dict[str, SiteRule] = {
    "twitter.com": _twitter,
    "youtube.com": _youtube,
    "youtu.be": _youtube,
    "instagram.com": _instagram,
}


def _quote(text: str, limit: int = 80) -> str:
    """User input shown in a message: quoted, escaped, and cut short."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)
