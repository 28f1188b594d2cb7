"""Validated field types shared by the request models: text, URLs, language tags, dates."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictFloat

from app.messages import Message
from app.rules.urls import is_http_url

# Row ids are INTEGER columns: 32 bits on PostgreSQL. Routes and bodies accept no larger id, so
# no id reaches the database as a number it cannot compare.
MAX_ID = 2**31 - 1
# A rating scale of a trillion points is no scale; bounded so that every number is stored and
# rendered exactly as given.
MAX_NUMBER = 1e12

_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?(-[a-z0-9]{5,8})*$")
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def clean_text(value: str) -> str:
    """Trim, and refuse control characters (a NUL cannot even be stored in PostgreSQL) and lone
    surrogates (no UTF-8 encodes them)."""
    value = value.strip()
    if value.isprintable():  # no control character at all (the common case, checked in C)
        return value
    refuse_unstorable(value)
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise ValueError(Message("contains the control character U+{code:04X}", code=ord(char)))
    return value


def refuse_unstorable(value: str) -> str:
    """Refuse what no database column can hold: NUL, and lone surrogates."""
    if "\x00" in value:
        raise ValueError(Message("contains a NUL character"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise ValueError(Message("contains invalid Unicode (U+{code:04X})", code=code)) from exc
    return value


def _non_blank(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValueError(Message("must not be blank"))
    return value


def _check_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError(Message("must be an absolute http:// or https:// URL"))
    return value


def normalize_language(value: str) -> str:
    """BCP 47 tag in its conventional case: `pt-BR`, `zh-Hant`, `fr`."""
    tag = value.strip().replace("_", "-").lower()
    if not _LANGUAGE_TAG.match(tag):
        raise ValueError(
            Message("must be a BCP 47 language tag such as 'fr', 'pt-BR' or 'zh-Hant'")
        )
    parts = tag.split("-")
    out = [parts[0]]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2:
            out.append(part.upper())
        else:
            out.append(part)
    return "-".join(out)


def _only_strings(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(Message("must be an ISO 8601 date or date-time string"))
    return value


def in_utc(value: datetime) -> datetime:
    """The date in UTC; a date so near year 1 or 9999 that UTC is outside the calendar is
    refused (a ValueError, so a 422, not an OverflowError)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(Message("is out of range")) from exc


def _query_date(value: datetime) -> datetime:
    value = in_utc(value)
    if not 1000 <= value.year <= 9000:
        raise ValueError(Message("must be between the years 1000 and 9000"))
    return value


def _plausible_date(value: datetime) -> datetime:
    value = in_utc(value)
    if value.year < 1900:
        raise ValueError(Message("is before 1900"))
    if value > datetime.now(UTC) + timedelta(days=1):
        raise ValueError(Message("is in the future"))
    return value


def _host(value: str) -> str:
    host = value.strip().lower().rstrip(".")
    if not re.fullmatch(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", host):
        raise ValueError(Message("must be a host name such as 'factuel.afp.com'"))
    return host


Name = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_non_blank)]
# A rating label: short as a rule, a paragraph for some publishers; kept verbatim either way.
Label = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_non_blank)]
Headline = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_non_blank)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_non_blank)]
Body = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_non_blank)]
HttpURL = Annotated[
    str, Field(max_length=2048), AfterValidator(clean_text), AfterValidator(_check_url)
]
LanguageTag = Annotated[str, Field(max_length=35), AfterValidator(normalize_language)]
When = Annotated[datetime, BeforeValidator(_only_strings), AfterValidator(_plausible_date)]
# Strict: accepts 1 and 1.5, refuses "1" and true; NaN, infinities (1e400 reads as one) and
# absurd magnitudes are refused, not stored and then dropped from the ClaimReview.
Number = Annotated[StrictFloat, Field(allow_inf_nan=False, ge=-MAX_NUMBER, le=MAX_NUMBER)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A date in a query (a filter, not a stored value): any time in the calendar's plain range.
QueryDate = Annotated[datetime, AfterValidator(_query_date)]
Host = Annotated[str, Field(max_length=253), AfterValidator(_host)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")]
