"""Every write to rooms, memberships, messages, reactions and read positions."""

from chat.actions.messages import (
    do_add_reaction,
    do_delete_message,
    do_edit_message,
    do_mark_read,
    do_remove_reaction,
)
from chat.actions.rooms import (
    do_add_members,
    do_create_room,
    do_join_default_rooms,
    do_join_room,
    do_open_direct,
    do_remove_member,
    do_set_member_role,
    do_set_room_archived,
    do_update_room,
)
from chat.actions.sending import Send, SendResult, do_send_message, do_send_messages

__all__ = [
    "Send",
    "SendResult",
    "do_add_members",
    "do_add_reaction",
    "do_create_room",
    "do_delete_message",
    "do_edit_message",
    "do_join_default_rooms",
    "do_join_room",
    "do_mark_read",
    "do_open_direct",
    "do_remove_member",
    "do_remove_reaction",
    "do_send_message",
    "do_send_messages",
    "do_set_member_role",
    "do_set_room_archived",
    "do_update_room",
]
