"""Who may do what to whom inside a tenant: the one place roles are checked.

Views, API endpoints and actions call these helpers rather than comparing roles themselves,
so a rule changes in one place. Each `access_*` helper returns the object or raises.
"""

from __future__ import annotations

from accounts.models import Invitation, User
from config.api.errors import AccessDenied, NotFound

Role = User.Role

# Roles a manager may hand out (by invitation or role change), and may act upon.
ASSIGNABLE_BY: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER}),
    Role.ADMIN: frozenset({Role.ADMIN, Role.MEMBER}),
    Role.MEMBER: frozenset(),
}


def can_manage_people(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_workspace_admin)


def require_people_manager(user: User) -> None:
    if not can_manage_people(user):
        raise AccessDenied("Only owners and admins can manage people.")


def require_workspace_admin(user: User) -> None:
    """Workspace settings (open sign-up, and later branding and billing): owners and admins."""
    if not can_manage_people(user):
        raise AccessDenied("Only owners and admins can change the workspace's settings.")


def check_can_assign(actor: User, role: str) -> None:
    """`actor` may give `role` to someone (invite with it, or change a person to it)."""
    require_people_manager(actor)
    if role not in Role.values:
        raise AccessDenied("Unknown role.", code="invalid_role")
    if role not in ASSIGNABLE_BY[actor.role]:
        raise AccessDenied("Only owners can make someone an owner.")


def check_can_manage(actor: User, target: User) -> None:
    """`actor` may change `target`'s role or deactivate them (never themselves)."""
    require_people_manager(actor)
    if actor.pk == target.pk:
        raise AccessDenied("You cannot change your own role or deactivate yourself here.", code="self")
    if target.role not in ASSIGNABLE_BY[actor.role]:
        raise AccessDenied("Only owners can change or deactivate an owner.")


def access_user(actor: User, user_id: int) -> User:
    """A person of the actor's tenant whom the actor may manage."""
    require_people_manager(actor)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound
    return user


def access_invitation(actor: User, invitation_id: int) -> Invitation:
    require_people_manager(actor)
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound
    if invitation.role not in ASSIGNABLE_BY[actor.role]:
        raise AccessDenied("Only owners can manage invitations for owners.")
    return invitation
