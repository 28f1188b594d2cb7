"""Access rules as a table: each role against each rule, with the reason a refusal gives."""

import pytest

from app.domain.access import (
    AGGREGATED,
    COMMAND_LINE,
    FIRST_PARTY,
    Principal,
    can_see_claim,
    can_see_drafts,
    may_import_over,
    on_sites,
    require_admin,
    require_claim_writer,
    require_editor_of,
    require_site_of,
    require_writer,
    written_by,
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

    def test_an_unpublished_claim_is_seen_by_its_publishers_keys_only(self) -> None:
        owners = ["verifact", "other"]
        assert can_see_claim(None, owners, published=True)
        assert can_see_claim(PARTNER, [], published=True)
        assert not can_see_claim(None, owners, published=False)
        assert can_see_claim(EDITOR, owners, published=False)
        assert can_see_claim(EDITOR, iter(owners), published=False)  # any iterable, read once
        assert not can_see_claim(EDITOR, ["other"], published=False)
        assert can_see_claim(ADMIN, [], published=False)
        for principal in (IMPORTER, PARTNER, BOUND_IMPORTER):
            assert not can_see_claim(principal, ["verifact"], published=False)


class TestSites:
    @pytest.mark.parametrize(
        ("url", "on"),
        [
            ("https://verifact.example/x", True),
            ("https://www.verifact.example/x", True),
            ("https://factuel.www.verifact.example/x", True),
            ("https://VERIFACT.Example/x", True),
            ("https://verifact.example./x", True),  # the fully qualified spelling
            ("https://verifact.example:8443/x", True),
            ("https://user@verifact.example/x", True),
            ("https://notverifact.example/x", False),
            ("https://verifact.example.evil/x", False),
            ("https://example/x", False),
            ("https://evil.example/verifact.example", False),
            ("https://evil.example/?u=https://verifact.example/", False),
            ("https://verifact.example@evil.example/x", False),
        ],
    )
    def test_on_a_site_is_the_host_or_under_it(self, url: str, on: bool) -> None:
        assert on_sites(url, ["verifact.example", "other.example"]) is on

    def test_an_editor_writes_only_on_its_sites_the_others_anywhere(self) -> None:
        sites = ["verifact.example"]
        require_site_of(EDITOR, "verifact", sites, "https://www.verifact.example./x")
        for principal in (ADMIN, IMPORTER, COMMAND_LINE):
            require_site_of(principal, "verifact", sites, "https://evil.example/x")
        assert (
            refusal(require_site_of, EDITOR, "verifact", sites, "https://evil.example/x")
            == "url: evil.example is not a site of 'verifact'."
        )


class TestWhoWrote:
    def test_only_an_import_by_a_non_editor_is_aggregated(self) -> None:
        assert written_by(EDITOR, importing=False) == FIRST_PARTY == "editor"
        assert written_by(EDITOR, importing=True) == FIRST_PARTY
        for principal in (ADMIN, IMPORTER, BOUND_IMPORTER, COMMAND_LINE):
            assert written_by(principal, importing=False) == FIRST_PARTY
            assert written_by(principal, importing=True) == AGGREGATED == "import"

    def test_first_party_beats_aggregated(self) -> None:
        for principal in (ADMIN, IMPORTER, EDITOR, BOUND_IMPORTER):
            assert may_import_over(principal, "verifact", AGGREGATED)
        assert may_import_over(EDITOR, "verifact", FIRST_PARTY)
        assert not may_import_over(EDITOR, "other", FIRST_PARTY)
        for principal in (ADMIN, IMPORTER, BOUND_IMPORTER, COMMAND_LINE):
            assert not may_import_over(principal, "verifact", FIRST_PARTY)
