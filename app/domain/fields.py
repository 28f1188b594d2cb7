"""Validated field types shared by the request models: text, URLs, language tags, dates."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictFloat

from app.domain.urls import is_http_url

_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?(-[a-z0-9]{5,8})*$")
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def clean_text(value: str) -> str:
    """Trim, and refuse control characters (a NUL cannot even be stored in PostgreSQL)."""
    value = value.strip()
    if value.isprintable():  # no control character at all (the common case, checked in C)
        return value
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise ValueError(f"contains the control character U+{ord(char):04X}")
    return value


def _non_blank(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValueError("must not be blank")
    return value


def _check_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def normalize_language(value: str) -> str:
    """BCP 47 tag in its conventional case: `pt-BR`, `zh-Hant`, `fr`."""
    tag = value.strip().replace("_", "-").lower()
    if not _LANGUAGE_TAG.match(tag):
        raise ValueError("must be a BCP 47 language tag such as 'fr', 'pt-BR' or 'zh-Hant'")
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
        raise ValueError("must be an ISO 8601 date or date-time string")
    return value


def _plausible_date(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.year < 1900:
        raise ValueError("is before 1900")
    if value > datetime.now(UTC) + timedelta(days=1):
        raise ValueError("is in the future")
    return value


def _host(value: str) -> str:
    host = value.strip().lower().rstrip(".")
    if not re.fullmatch(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", host):
        raise ValueError("must be a host name such as 'factuel.afp.com'")
    return host


Name = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_non_blank)]
Headline = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_non_blank)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_non_blank)]
Body = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_non_blank)]
HttpURL = Annotated[
    str, Field(max_length=2048), AfterValidator(clean_text), AfterValidator(_check_url)
]
LanguageTag = Annotated[str, Field(max_length=35), AfterValidator(normalize_language)]
When = Annotated[datetime, BeforeValidator(_only_strings), AfterValidator(_plausible_date)]
Number = StrictFloat  # strict: accepts 1 and 1.5, refuses "1" and true
Host = Annotated[str, Field(max_length=253), AfterValidator(_host)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")]
