"""Access rules as a table: each role against each rule, with the reason a refusal gives."""

import pytest

from app.domain.access import (
    COMMAND_LINE,
    Principal,
    can_see_drafts,
    require_admin,
    require_claim_writer,
    require_editor_of,
    require_writer,
)
from app.domain.schemas import Role
from app.errors import Forbidden

ADMIN = Principal("key_admin", Role.ADMIN, None)
EDITOR = Principal("key_editor", Role.EDITOR, "verifact")
IMPORTER = Principal("key_importer", Role.IMPORTER, None)
PARTNER = Principal("key_partner", Role.PARTNER, None)
# An importer bound to a publisher writes nothing through the editor rules all the same.
BOUND_IMPORTER = Principal("key_bound", Role.IMPORTER, "verifact")


def refusal(rule: object, *args: object) -> str:
    with pytest.raises(Forbidden) as caught:
        rule(*args)  # type: ignore[operator]
    return str(caught.value.detail)


class TestPrincipal:
    def test_only_admins_are_admins(self) -> None:
        assert [p.is_admin for p in (ADMIN, EDITOR, IMPORTER, PARTNER)] == [
            True,
            False,
            False,
            False,
        ]
        assert COMMAND_LINE.is_admin

    def test_who_writes_for_a_publisher(self) -> None:
        assert ADMIN.may_write_for("anyone")
        assert EDITOR.may_write_for("verifact")
        assert not EDITOR.may_write_for("other")
        assert not BOUND_IMPORTER.may_write_for("verifact")
        assert not PARTNER.may_write_for("verifact")


class TestRules:
    def test_require_admin(self) -> None:
        require_admin(ADMIN)
        for principal in (EDITOR, IMPORTER, PARTNER):
            assert refusal(require_admin, principal) == "This needs an admin key."

    def test_require_editor_of(self) -> None:
        require_editor_of(ADMIN, "other")
        require_editor_of(EDITOR, "verifact")
        assert (
            refusal(require_editor_of, EDITOR, "other")
            == "This editor key writes for 'verifact' only."
        )
        assert (
            refusal(require_editor_of, BOUND_IMPORTER, "verifact")
            == "A importer key cannot write claims or reviews."
        )
        assert (
            refusal(require_editor_of, PARTNER, "verifact")
            == "A partner key cannot write claims or reviews."
        )

    def test_require_writer(self) -> None:
        require_writer(ADMIN)
        require_writer(EDITOR)
        assert refusal(require_writer, IMPORTER) == "A importer key cannot write claims or reviews."
        assert refusal(require_writer, PARTNER) == "A partner key cannot write claims or reviews."

    def test_an_editor_changes_a_claim_only_while_no_other_publisher_reviews_it(self) -> None:
        require_claim_writer(ADMIN, ["a", "b"])
        require_claim_writer(EDITOR, [])
        require_claim_writer(EDITOR, ["verifact", "verifact"])
        assert (
            refusal(require_claim_writer, EDITOR, ["verifact", "zeta", "alpha", "zeta"])
            == "This claim is also reviewed by alpha, zeta; ask an admin."
        )
        assert refusal(require_claim_writer, IMPORTER, []) == "A importer key cannot write claims."
        assert (
            refusal(require_claim_writer, BOUND_IMPORTER, ["verifact"])
            == "A importer key cannot write claims."
        )

    def test_drafts_are_seen_by_their_writers_only(self) -> None:
        assert not can_see_drafts(None, "verifact")
        assert can_see_drafts(EDITOR, "verifact")
        assert not can_see_drafts(EDITOR, "other")
        assert can_see_drafts(ADMIN, "other")
        assert not can_see_drafts(BOUND_IMPORTER, "verifact")
