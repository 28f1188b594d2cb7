"""Who may do what: roles, publisher binding, and the checks every write goes through."""

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.schemas import Role
from app.errors import Forbidden


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
        raise Forbidden("This needs an admin key.")


def require_editor_of(principal: Principal, publisher_id: str) -> None:
    if principal.may_write_for(publisher_id):
        return
    if principal.role == Role.EDITOR:
        raise Forbidden(f"This editor key writes for '{principal.publisher_id}' only.")
    raise Forbidden(f"A {principal.role.value} key cannot write claims or reviews.")


def require_claim_writer(principal: Principal, owners: Iterable[str]) -> None:
    """A claim is shared: an editor may change it only while no other publisher depends on it."""
    if principal.is_admin:
        return
    if principal.role != Role.EDITOR:
        raise Forbidden(f"A {principal.role.value} key cannot write claims.")
    others = {owner for owner in owners if owner != principal.publisher_id}
    if others:
        raise Forbidden(
            "This claim is also reviewed by " + ", ".join(sorted(others)) + "; ask an admin."
        )


def require_writer(principal: Principal) -> None:
    if principal.role not in (Role.EDITOR, Role.ADMIN):
        raise Forbidden(f"A {principal.role.value} key cannot write claims or reviews.")


def can_see_drafts(principal: Principal | None, publisher_id: str) -> bool:
    return principal is not None and principal.may_write_for(publisher_id)
