"""Who may do what: roles, publisher binding, and the checks every write goes through."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.domain.schemas import Role
from app.errors import Forbidden
from app.messages import Message


@dataclass(frozen=True)
class Principal:
    """The holder of a valid, unrevoked API key."""

    key_id: str
    role: Role
    publisher_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def may_write_for(self, publisher_id: str) -> bool:
        return self.is_admin or (self.role == Role.EDITOR and self.publisher_id == publisher_id)


# The command line acts with the machine's trust.
COMMAND_LINE = Principal(key_id="command-line", role=Role.ADMIN, publisher_id=None)


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden(Message("This needs an admin key."))


def require_editor_of(principal: Principal, publisher_id: str) -> None:
    if principal.may_write_for(publisher_id):
        return
    if principal.role == Role.EDITOR:
        raise Forbidden(
            Message(
                "This editor key writes for '{publisher}' only.", publisher=principal.publisher_id
            )
        )
    raise Forbidden(
        Message("A {role} key cannot write claims or reviews.", role=principal.role.value)
    )


def others_than(publisher_id: str | None, owners: Iterable[str]) -> set[str]:
    """The publishers besides this one that a claim belongs to (its creator, its reviewers)."""
    return {owner for owner in owners if owner != publisher_id}


def require_claim_writer(principal: Principal, owners: Iterable[str]) -> None:
    """A claim is shared: an editor may change it only while no other publisher depends on it.
    An import corrects a claim in place under the same rule (`others_than`)."""
    if principal.is_admin:
        return
    if principal.role != Role.EDITOR:
        raise Forbidden(Message("A {role} key cannot write claims.", role=principal.role.value))
    others = others_than(principal.publisher_id, owners)
    if others:
        raise Forbidden(
            Message(
                "This claim is also reviewed by {publishers}; ask an admin.",
                publishers=", ".join(sorted(others)),
            )
        )


def require_writer(principal: Principal) -> None:
    if principal.role not in (Role.EDITOR, Role.ADMIN):
        raise Forbidden(
            Message("A {role} key cannot write claims or reviews.", role=principal.role.value)
        )


def can_see_drafts(principal: Principal | None, publisher_id: str) -> bool:
    return principal is not None and principal.may_write_for(publisher_id)


def on_sites(url: str, sites: Iterable[str]) -> bool:
    """Whether a URL's host is one of the sites, or a subdomain of one (`www.`, `factuel.`)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    return bool({".".join(labels[i:]) for i in range(len(labels))} & set(sites))


def require_site_of(
    principal: Principal, publisher_id: str, sites: Iterable[str], url: str
) -> None:
    """An editor writes only at addresses on its publisher's sites: a review, a page, an import.
    (An importer's review belongs to the publisher whose site it is on; admins are trusted.)"""
    if principal.role != Role.EDITOR or on_sites(url, sites):
        return
    host = urlsplit(url).hostname or url
    reason = Message("{host} is not a site of '{publisher}'", host=host, publisher=publisher_id)
    raise Forbidden(
        Message("{field}: {reason}.", field="url", reason=reason),
        errors=[{"field": "url", "message": reason}],
    )


# Who wrote a review: its publisher's own people through the API, an editor's import of its
# own markup ("editor"), or an import of aggregated markup ("import").
FIRST_PARTY, AGGREGATED = "editor", "import"


def written_by(principal: Principal, *, importing: bool) -> str:
    return AGGREGATED if importing and principal.role != Role.EDITOR else FIRST_PARTY


def may_import_over(principal: Principal, publisher_id: str, review_written_by: str) -> bool:
    """First-party beats aggregated: an import updates what imports created, never what the
    publisher's editors wrote (unless it is that publisher's own editor importing)."""
    return review_written_by == AGGREGATED or (
        principal.role == Role.EDITOR and principal.publisher_id == publisher_id
    )


def can_see_claim(principal: Principal | None, owners: Iterable[str], published: bool) -> bool:
    """A claim is public once a review of it is published; before that (drafts only, or no
    review yet) only its publishers' keys see it: an unpublished scoop does not leak."""
    if published:
        return True
    if principal is None:
        return False
    return principal.is_admin or (
        principal.role == Role.EDITOR and principal.publisher_id in set(owners)
    )
