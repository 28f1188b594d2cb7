"""Webhooks: subscriptions to the change log, and the deliverer that sends each change.

Deliveries are queued from the change log (so nothing published is ever skipped), sent in order
per subscription, signed with HMAC-SHA256 over `timestamp.body`, and retried with exponential
back-off until the receiver answers 2xx. A deliverer killed at any point resumes from the table:
at least once, never lost.
"""

import hashlib
import hmac
import http.client
import logging
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import orjson
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from app import metrics
from app.config import Settings
from app.domain import webhook_transport
from app.domain.access import Principal
from app.domain.schemas import (
    DeliveryList,
    DeliveryPublic,
    Role,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookPublic,
)
from app.errors import Forbidden, NotFound, Unprocessable
from app.storage.database import Database
from app.storage.tables import Change, Webhook, WebhookDelivery
from app.storage.types import as_utc, utcnow

log = logging.getLogger("claimreview.webhooks")


def _public(hook: Webhook) -> WebhookPublic:
    return WebhookPublic(
        id=hook.id,
        url=hook.url,
        publisher=hook.publisher_id,
        language=hook.language,
        verdict=hook.verdict,
        created_at=hook.created_at,
    )


def _may_subscribe(principal: Principal) -> None:
    if principal.role not in (Role.PARTNER, Role.ADMIN):
        raise Forbidden("Webhooks are for partner and admin keys.")


def _target_allowed(url: str, settings: Settings) -> None:
    """No subscription to an inside address unless configured (SSRF); every delivery checks
    again (`webhook_transport`), since what a name resolves to can change."""
    try:
        webhook_transport.resolve(url, allow_private=settings.webhook_allow_private)
    except webhook_transport.Refused as exc:
        raise Unprocessable(
            f"url: {exc}", errors=[{"field": "url", "message": "must be a public address"}]
        ) from exc


def create(
    session: Session, principal: Principal, data: WebhookCreate, settings: Settings
) -> WebhookCreated:
    _may_subscribe(principal)
    _target_allowed(data.url, settings)
    last = session.exec(select(Change.cursor).order_by(col(Change.cursor).desc())).first()
    hook = Webhook(
        id="wh_" + secrets.token_hex(8),
        owner_key_id=principal.key_id,
        url=data.url,
        publisher_id=data.publisher,
        language=data.language,
        verdict=data.verdict.value if data.verdict else None,
        secret="whsec_" + secrets.token_urlsafe(32),
        queued_through=last or 0,  # changes from now on
    )
    session.add(hook)
    session.flush()
    return WebhookCreated(**_public(hook).model_dump(), secret=hook.secret)


def _own(session: Session, principal: Principal, webhook_id: str) -> Webhook:
    _may_subscribe(principal)
    hook = session.get(Webhook, webhook_id)
    if (
        hook is None
        or hook.deleted_at is not None
        or (not principal.is_admin and hook.owner_key_id != principal.key_id)
    ):
        raise NotFound(f"No webhook {webhook_id}.")
    return hook


def list_hooks(session: Session, principal: Principal) -> WebhookList:
    _may_subscribe(principal)
    query = (
        select(Webhook).where(col(Webhook.deleted_at).is_(None)).order_by(col(Webhook.created_at))
    )
    if not principal.is_admin:
        query = query.where(Webhook.owner_key_id == principal.key_id)
    return WebhookList(webhooks=[_public(h) for h in session.exec(query).all()])


def delete(session: Session, principal: Principal, webhook_id: str) -> None:
    hook = _own(session, principal, webhook_id)
    hook.deleted_at = utcnow()
    session.add(hook)
    session.flush()


def deliveries(session: Session, principal: Principal, webhook_id: str) -> DeliveryList:
    hook = _own(session, principal, webhook_id)
    rows = session.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(col(WebhookDelivery.cursor).desc())
        .limit(100)
    ).all()
    return DeliveryList(
        deliveries=[
            DeliveryPublic(
                id=d.id or 0,
                cursor=str(d.cursor),
                status="delivered" if d.status == "delivered" else "pending",
                attempts=d.attempts,
                last_status=d.last_status,
                last_error=d.last_error,
                next_attempt_at=d.next_attempt_at,
                delivered_at=d.delivered_at,
            )
            for d in rows
        ]
    )


# --- the deliverer ------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _matches(hook: Webhook, change: Change) -> bool:
    if hook.publisher_id and change.publisher_id != hook.publisher_id:
        return False
    if (
        hook.language
        and change.language.split("-")[0].lower() != hook.language.split("-")[0].lower()
    ):
        return False
    return not (hook.verdict and change.verdict != hook.verdict)


def queue(session: Session, batch: int = 500) -> int:
    """Turn new change-log entries into pending deliveries, per live subscription."""
    queued = 0
    # FOR UPDATE: a second deliverer queueing at the same time waits, then reads the
    # `queued_through` this one wrote, so no change is queued twice (SQLite's writers are
    # serialised already).
    hooks = session.exec(
        select(Webhook).where(col(Webhook.deleted_at).is_(None)).with_for_update()
    ).all()
    for hook in hooks:
        changes = session.exec(
            select(Change)
            .where(col(Change.cursor) > hook.queued_through)
            .order_by(col(Change.cursor))
            .limit(batch)
        ).all()
        for change in changes:
            assert change.cursor is not None
            if _matches(hook, change):
                body = orjson.dumps(
                    {
                        "cursor": str(change.cursor),
                        "type": change.type,
                        "review_id": change.review_id,
                        "at": change.at.isoformat().replace("+00:00", "Z"),
                    }
                ).decode()
                session.add(
                    WebhookDelivery(
                        webhook_id=hook.id, cursor=change.cursor, body=body, status="pending"
                    )
                )
                queued += 1
            hook.queued_through = change.cursor
        session.add(hook)
    session.flush()
    return queued


_OLDEST_PENDING = text(
    "SELECT d.id, d.body, d.next_attempt_at, w.url, w.secret FROM webhook_delivery d "
    "JOIN webhook w ON w.id = d.webhook_id "
    "WHERE d.status = 'pending' AND w.deleted_at IS NULL AND d.cursor = ("
    "SELECT min(e.cursor) FROM webhook_delivery e "
    "WHERE e.webhook_id = d.webhook_id AND e.status = 'pending')"
)


def _claim(db: Database, delivery_id: int, settings: Settings, now: datetime) -> bool:
    """Take a due delivery for one attempt: its next attempt moves past this one's time-out,
    in one conditional UPDATE. Of several deliverers, only the one whose UPDATE finds it still
    due sends it; one that dies while sending leaves it to be retried once the lease ends."""
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds + 30)
    with db.unit_of_work() as session:
        claimed = session.execute(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == delivery_id,
                col(WebhookDelivery.status) == "pending",
                col(WebhookDelivery.next_attempt_at) <= now,
            )
            .values(next_attempt_at=lease)
        )
        return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def send_due(db: Database, settings: Settings, clock: Callable[[], datetime] = utcnow) -> int:
    """Try the oldest pending delivery of each subscription (so each receives in order). The
    request is made outside any transaction: a slow receiver never holds a database lock.
    `clock` is the time source, so that tests can step through the back-off and its cap."""
    sent = 0
    with db.session() as session:
        due = [
            (row[0], row[1].encode(), row[3], row[4])
            for row in session.execute(_OLDEST_PENDING).all()
            if as_utc(row[2]) <= clock()
        ]
    for delivery_id, body, url, secret in due:
        if not _claim(db, delivery_id, settings, clock()):
            continue  # another deliverer took it
        timestamp = int(clock().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "claimreview-api webhooks",
            "Webhook-Id": str(delivery_id),
            "Webhook-Signature": sign(secret, timestamp, body),
        }
        error = None
        try:
            status = webhook_transport.post(
                url,
                body,
                headers,
                settings.webhook_timeout_seconds,
                allow_private=settings.webhook_allow_private,
            )
        except (OSError, ValueError, http.client.HTTPException) as exc:
            status, error = 0, str(exc)[:500]
        with db.unit_of_work() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            delivery.attempts += 1
            delivery.last_status, delivery.last_error = (status or None), error
            if 200 <= status < 300:
                delivery.status, delivery.delivered_at = "delivered", clock()
                sent += 1
                metrics.WEBHOOK_DELIVERIES.labels("delivered").inc()
            else:
                # The exponent is bounded only so that the number stays small: 2**60 times
                # any base the settings allow (1 ms or more) is past the hour. (A bound of 12
                # left a base under 0.88 s stuck below it.)
                delay = settings.webhook_retry_base_seconds * 2 ** min(delivery.attempts - 1, 60)
                delivery.next_attempt_at = clock() + timedelta(seconds=min(delay, 3600))
                metrics.WEBHOOK_DELIVERIES.labels("failed").inc()
            session.add(delivery)
    return sent


def run(
    db: Database,
    settings: Settings,
    stop: threading.Event,
    poll_seconds: float = 0.5,
    on_idle: Callable[[], None] | None = None,
    *,
    wait: Callable[[float], object] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Queue and send until `stop` is set: a round that did something is followed at once by
    the next, one that found nothing waits `poll_seconds` first. `wait` (by default
    `stop.wait`, which ends early when `stop` is set) and `clock` are the time sources, so that
    tests can follow the rounds without sleeping."""
    pause = wait or stop.wait
    while not stop.is_set():
        with db.unit_of_work() as session:
            queued = queue(session)
        sent = send_due(db, settings, clock)
        if not queued and not sent:
            if on_idle:
                on_idle()
            pause(poll_seconds)
