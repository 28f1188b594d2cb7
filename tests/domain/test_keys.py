"""API keys in a real database: the secret's form, what is stored, authentication, revocation."""

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.domain import keys, web_sessions
from app.domain.access import COMMAND_LINE, Principal
from app.domain.schemas import ApiKeyCreate, Role
from app.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from app.storage.database import Database

EDITOR = Principal("key_editor", Role.EDITOR, "verifact")


def create(
    db: Database, principal: Principal = COMMAND_LINE, **fields: object
) -> keys.ApiKeyCreated:
    with db.unit_of_work() as session:
        return keys.create_key(session, principal, ApiKeyCreate(**fields))  # type: ignore[arg-type]


def authenticate(db: Database, secret: str) -> Principal:
    with db.session() as session:
        return keys.authenticate(session, secret)


class TestCreate:
    def test_secret_is_shown_once_and_only_its_sha256_is_stored(
        self, db: Database, make_publisher: Callable[..., str]
    ) -> None:
        make_publisher("verifact")
        created = create(db, role="editor", publisher_id="verifact", name="desk")
        assert re.fullmatch(r"crk_[A-Za-z0-9_-]{43}", created.key)
        assert re.fullmatch(r"key_[0-9a-f]{16}", created.id)
        assert (created.role, created.publisher_id, created.name) == (
            Role.EDITOR,
            "verifact",
            "desk",
        )
        assert created.prefix == created.key[:10]
        assert created.revoked_at is None
        with db.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT key_hash, prefix, role, publisher_id, name FROM api_key WHERE id = :i"
                ),
                {"i": created.id},
            ).one()
        assert tuple(row) == (
            hashlib.sha256(created.key.encode()).hexdigest(),
            created.key[:10],
            "editor",
            "verifact",
            "desk",
        )

    def test_two_keys_never_share_a_secret_or_an_id(self, db: Database) -> None:
        first, second = create(db, role="partner"), create(db, role="partner")
        assert first.key != second.key
        assert first.id != second.id

    def test_only_an_admin_creates_keys(self, db: Database) -> None:
        with pytest.raises(Forbidden):
            create(db, EDITOR, role="partner")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM api_key")).scalar_one() == 0

    def test_an_editor_key_needs_an_existing_publisher(self, db: Database) -> None:
        with pytest.raises(Unprocessable) as caught:
            create(db, role="editor", publisher_id="nobody")
        assert caught.value.detail == "No publisher 'nobody'."
        assert caught.value.errors == [{"field": "publisher_id", "message": "no such publisher"}]


class TestAuthenticate:
    def test_the_secret_gives_its_principal(
        self, db: Database, make_publisher: Callable[..., str]
    ) -> None:
        make_publisher("verifact")
        created = create(db, role="editor", publisher_id="verifact")
        assert authenticate(db, created.key) == Principal(created.id, Role.EDITOR, "verifact")

    @pytest.mark.parametrize("secret", ["", "crk_unknown", "key_not_a_secret"])
    def test_an_unknown_secret_is_401_with_a_bearer_challenge(
        self, db: Database, secret: str
    ) -> None:
        create(db, role="partner")
        with pytest.raises(Unauthorized) as caught:
            authenticate(db, secret)
        assert caught.value.detail == "Unknown API key."
        assert caught.value.headers == {"WWW-Authenticate": "Bearer"}

    def test_the_hash_of_a_secret_is_no_secret(self, db: Database) -> None:
        created = create(db, role="partner")
        with pytest.raises(Unauthorized):
            authenticate(db, hashlib.sha256(created.key.encode()).hexdigest())


class TestRevoke:
    def test_a_revoked_key_is_refused_with_the_reason(self, db: Database) -> None:
        created = create(db, role="partner")
        with db.unit_of_work() as session:
            keys.revoke_key(session, COMMAND_LINE, created.id)
        with pytest.raises(Unauthorized) as caught:
            authenticate(db, created.key)
        assert caught.value.detail == "This API key was revoked."
        assert caught.value.headers == {"WWW-Authenticate": "Bearer"}

    def test_a_key_revokes_itself_but_not_another(self, db: Database) -> None:
        mine, other = create(db, role="partner"), create(db, role="partner")
        me = authenticate(db, mine.key)
        with db.unit_of_work() as session, pytest.raises(Forbidden):
            keys.revoke_key(session, me, other.id)
        authenticate(db, other.key)
        with db.unit_of_work() as session:
            keys.revoke_key(session, me, mine.id)
        with pytest.raises(Unauthorized):
            authenticate(db, mine.key)

    def test_revoking_again_keeps_the_first_time(self, db: Database) -> None:
        created = create(db, role="partner")
        with db.unit_of_work() as session:
            keys.revoke_key(session, COMMAND_LINE, created.id)
        with db.session() as session:
            [first] = [k.revoked_at for k in keys.list_keys(session, COMMAND_LINE).api_keys]
        with db.unit_of_work() as session:
            keys.revoke_key(session, COMMAND_LINE, created.id)
        with db.session() as session:
            [again] = [k.revoked_at for k in keys.list_keys(session, COMMAND_LINE).api_keys]
        assert first is not None
        assert again == first

    def test_an_unknown_key_is_404(self, db: Database) -> None:
        with db.unit_of_work() as session, pytest.raises(NotFound) as caught:
            keys.revoke_key(session, COMMAND_LINE, "key_nope")
        assert caught.value.detail == "No API key 'key_nope'."

    def test_revoking_a_key_ends_its_web_sessions_and_no_other(self, db: Database) -> None:
        revoked, kept = create(db, role="importer"), create(db, role="partner")
        later = datetime.now(UTC) + timedelta(hours=1)
        with db.unit_of_work() as session:
            for created, nonce in ((revoked, "n1"), (revoked, "n2"), (kept, "n3")):
                principal = Principal(created.id, created.role, None)
                web_sessions.open_session(session, principal, nonce, later)
        with db.unit_of_work() as session:
            keys.revoke_key(session, COMMAND_LINE, revoked.id)
        with db.session() as session:
            rows = session.execute(text("SELECT key_id FROM web_session")).scalars().all()
            assert rows == [kept.id]
            with pytest.raises(Unauthorized):
                web_sessions.session_principal(session, "n1", revoked.id)
            assert web_sessions.session_principal(session, "n3", kept.id).key_id == kept.id


class TestPrincipalOf:
    def test_a_key_id_gives_its_holder(
        self, db: Database, make_publisher: Callable[..., str]
    ) -> None:
        make_publisher("verifact")
        created = create(db, role="editor", publisher_id="verifact")
        with db.session() as session:
            assert keys.principal_of(session, created.id) == Principal(
                created.id, Role.EDITOR, "verifact"
            )

    def test_an_unknown_or_revoked_key_id_is_refused(self, db: Database) -> None:
        created = create(db, role="admin")
        with db.unit_of_work() as session:
            keys.revoke_key(session, COMMAND_LINE, created.id)
        for key_id in (created.id, "key_nope"):
            with db.session() as session, pytest.raises(Unauthorized) as caught:
                keys.principal_of(session, key_id)
            assert caught.value.detail == "This API key was revoked."


class TestList:
    def test_admin_lists_every_key_newest_first_without_secrets(self, db: Database) -> None:
        first, second = create(db, role="partner"), create(db, role="importer")
        with db.session() as session:
            listed = keys.list_keys(session, COMMAND_LINE).api_keys
        assert [k.id for k in listed] == [second.id, first.id]
        assert all(not hasattr(k, "key") for k in listed)
        with db.session() as session, pytest.raises(Forbidden):
            keys.list_keys(session, EDITOR)
