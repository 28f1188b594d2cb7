"""Sessions of the web app, held by the database: opened at sign-in, checked on every page,
ended at sign-out or when their key is revoked.

The cookie is signed (the web app refuses a forged one before asking here), but a signature
cannot be withdrawn: a copied cookie would outlive sign-out. The row is what signing out
deletes, and every app instance sharing the database sees it gone at once. A row is stored
under the SHA-256 of the cookie's random nonce, so the table itself opens no session."""

import hashlib
from datetime import datetime

from sqlmodel import Session

from app.domain.access import Principal
from app.domain.keys import principal_of
from app.errors import Unauthorized
from app.storage import repositories as repo
from app.storage.tables import WebSession
from app.storage.types import utcnow


def session_id(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def open_session(session: Session, principal: Principal, nonce: str, expires_at: datetime) -> None:
    """Records a new session; sessions past their expiry go at the same time, so the table
    holds open sessions only, however many instances sign people in."""
    repo.delete_expired_web_sessions(session, utcnow())
    repo.add_web_session(
        session, WebSession(id=session_id(nonce), key_id=principal.key_id, expires_at=expires_at)
    )


def session_principal(session: Session, nonce: str, key_id: str) -> Principal:
    """The key of an open session: refused once it was signed out, expired, or its key revoked."""
    row = repo.get_web_session(session, session_id(nonce))
    if row is None or row.key_id != key_id or row.expires_at <= utcnow():
        raise Unauthorized("This session has ended.")
    return principal_of(session, key_id)


def close_session(session: Session, nonce: str) -> None:
    repo.delete_web_session(session, session_id(nonce))
