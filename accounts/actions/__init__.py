"""Every write to people, their credentials and invitations goes through these actions."""

from accounts.actions.invitations import (
    do_accept_invitation,
    do_invite,
    do_request_signup,
    do_resend_invitation,
    do_revoke_invitation,
)
from accounts.actions.passwords import (
    do_change_password,
    do_request_password_reset,
    do_reset_password,
    do_send_password_reset,
)
from accounts.actions.users import (
    do_change_role,
    do_create_staff_user,
    do_create_user,
    do_deactivate_user,
    do_reactivate_user,
    do_revoke_credentials,
    do_update_profile,
)

__all__ = [
    "do_accept_invitation",
    "do_change_password",
    "do_change_role",
    "do_create_staff_user",
    "do_create_user",
    "do_deactivate_user",
    "do_invite",
    "do_reactivate_user",
    "do_request_password_reset",
    "do_request_signup",
    "do_resend_invitation",
    "do_reset_password",
    "do_revoke_credentials",
    "do_revoke_invitation",
    "do_send_password_reset",
    "do_update_profile",
]
