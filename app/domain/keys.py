"""API keys: random secrets shown once, stored only as a SHA-256 hash, revocable at once."""

import hashlib
import secrets

from sqlmodel import Session

from app.domain.access import Principal, require_admin
from app.domain.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyPublic, Role
from app.errors import NotFound, Unauthorized, Unprocessable
from app.messages import Message
from app.storage import repositories as repo
from app.storage.tables import ApiKey
from app.storage.types import utcnow

KEY_PREFIX = "crk_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, principal: Principal, data: ApiKeyCreate) -> ApiKeyCreated:
    require_admin(principal)
    if data.publisher_id is not None and repo.get_publisher(session, data.publisher_id) is None:
        raise Unprocessable(
            Message("No publisher '{id}'.", id=data.publisher_id),
            errors=[{"field": "publisher_id", "message": Message("no such publisher")}],
        )
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id="key_" + secrets.token_hex(8),
        name=data.name,
        role=data.role.value,
        publisher_id=data.publisher_id,
        key_hash=hash_key(secret),
        prefix=secret[:10],
    )
    session.add(row)
    session.flush()
    return ApiKeyCreated(**ApiKeyPublic.model_validate(row).model_dump(), key=secret)


def list_keys(session: Session, principal: Principal) -> ApiKeyList:
    require_admin(principal)
    return ApiKeyList(api_keys=[ApiKeyPublic.model_validate(k) for k in repo.list_keys(session)])


def revoke_key(session: Session, principal: Principal, key_id: str) -> None:
    """An admin revokes any key; any key may revoke itself."""
    if principal.key_id != key_id:
        require_admin(principal)
    row = repo.get_key(session, key_id)
    if row is None:
        raise NotFound(Message("No API key '{id}'.", id=key_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()
    # Its web app sessions are refused from now on (principal_of), and need not be kept.
    repo.delete_key_web_sessions(session, key_id)


def authenticate(session: Session, secret: str) -> Principal:
    row = repo.key_by_hash(session, hash_key(secret))
    if row is None:
        raise Unauthorized("Unknown API key.", headers={"WWW-Authenticate": "Bearer"})
    if row.revoked_at is not None:
        raise Unauthorized("This API key was revoked.", headers={"WWW-Authenticate": "Bearer"})
    return Principal(key_id=row.id, role=Role(row.role), publisher_id=row.publisher_id)


def principal_of(session: Session, key_id: str) -> Principal:
    """The holder of a key known by its id (a web session's): refused once it is revoked."""
    row = repo.get_key(session, key_id)
    if row is None or row.revoked_at is not None:
        raise Unauthorized("This API key was revoked.")
    return Principal(key_id=row.id, role=Role(row.role), publisher_id=row.publisher_id)
