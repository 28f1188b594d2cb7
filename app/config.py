"""Settings, read from the environment (prefix CLAIMREVIEW_) with safe defaults."""

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMREVIEW_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./claimreview.db",
        description="SQLAlchemy URL: a SQLite file, or postgresql+psycopg://user@host/db.",
    )
    database_pool_size: int = Field(default=10, description="PostgreSQL connections per process.")
    max_body_bytes: int = Field(
        default=1024 * 1024, description="Largest request body for ordinary writes (413 above)."
    )
    max_import_bytes: int = Field(
        default=50 * 1000 * 1000, description="Largest request body for POST /v1/import."
    )
    cors_origins: list[str] = Field(
        default=["*"], description="Origins allowed to read the API from a browser."
    )
    cache_max_age: int = Field(
        default=300, description="Seconds public JSON-LD responses may be cached."
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL the service is reached at, for the links it writes (oEmbed, "
        "embeds, feed Link headers). Unset: each request's own scheme and Host (from "
        "X-Forwarded-Proto and X-Forwarded-Host behind CLAIMREVIEW_FORWARDED_ALLOW_IPS).",
    )
    token_secret: str | None = Field(
        default=None,
        description="Key that signs page tokens. Unset: a random key per process (set it when "
        "running several instances).",
    )
    log_level: str = Field(default="info", description="Log level of the service.")
    webhook_allow_private: bool = Field(
        default=False,
        description="Let webhooks target private and loopback addresses (off: no SSRF).",
    )
    webhook_retry_base_seconds: float = Field(
        default=2.0,
        ge=0.001,
        le=3600,
        description="First retry delay of a failed delivery; doubles each time, up to an hour.",
    )
    webhook_timeout_seconds: float = Field(default=10.0, description="Delivery request timeout.")
    max_concurrency: int = Field(
        default=4,
        ge=1,
        description="Requests that work on the database at once (at most the pool's size); the "
        "others wait in a bounded queue. More threads than CPUs only fight over the GIL: "
        "at 16, /healthz took up to 1.2 s under 256 connections; at 4, 0.4 s, for as much "
        "throughput.",
    )
    max_queue: int = Field(
        default=1024, ge=0, description="Requests that may wait for the database; more get 503."
    )
    queue_timeout_seconds: float = Field(
        default=2.0, gt=0, description="Longest wait in the queue before a 503 with Retry-After."
    )
    request_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Longest a request may work before it must start answering (503 after); "
        "imports are exempt.",
    )
    database_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Connect, statement and pool time-out of the service's database connections.",
    )
    read_cache_entries: int = Field(
        default=20_000,
        ge=0,
        description="Public GET responses kept in memory, kept current from the change log "
        "(0 turns the cache off).",
    )
    search_memory_claims: int = Field(
        default=200_000,
        ge=0,
        description="Searches are ranked in memory while the index holds at most this many "
        "claims (about 1.5 kB of memory a claim), kept current from the change log; past it, "
        "or with 0, or with the read cache off, in the database.",
    )
    rate_limit_anonymous: str = Field(
        default="600/minute",
        description="Per client address for calls without a key (N/second|minute|hour; "
        "empty: off).",
    )
    rate_limit_key: str = Field(
        default="6000/minute", description="Per API key (N/second|minute|hour; empty: off)."
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db: rate-limit counters shared by every instance.",
    )
    forwarded_allow_ips: list[str] = Field(
        default=[],
        description="Proxies (addresses or networks) whose X-Forwarded-For names the client.",
    )
    match_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Matches of POST /v1/match scoring under this (0..1) are left out.",
    )
    embedding_model: str | None = Field(
        default=None,
        description="Directory of a sentence-transformers model that re-ranks matches (never "
        "downloaded; needs the `semantic` extra). Unset: lexical matching only.",
    )
    web_session_hours: float = Field(
        default=12,
        gt=0,
        description="How long a sign-in to the newsroom web app (/app/) lasts.",
    )


@cache
def get_settings() -> Settings:
    return Settings()
