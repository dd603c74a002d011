"""Chat data, in each tenant's schema: rooms, who is in them, messages and what hangs off them.

Message ids come from the schema's own sequence, so they grow within a tenant and serve as the
cursor of every history page and of a socket's catch-up (`subscribe {after}`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q

# The text-search configuration of message bodies. The same one must parse queries.
SEARCH_CONFIG = "english"


class Room(models.Model):
    """A conversation space. Every tenant starts with a public room named `general`.

    Public rooms are readable by everyone in the workspace and joined at will; private rooms and
    direct messages only by their members. A direct message has a fixed set of members, recorded
    in `direct_key` so that opening the same conversation twice finds the first one.
    """

    class Kind(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        DIRECT = "direct", "Direct message"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PUBLIC)
    topic = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Who archived it, for the notice in its place of the composer ("Archived by Ann on ...").
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # New people join default rooms when their account is created (`general` is one).
    is_default = models.BooleanField(default=False)
    # Direct messages only: the sorted member ids, "3,8,12".
    direct_key = models.CharField(max_length=500, null=True, blank=True, unique=True)
    # The `seq` of the room's newest message. Sending locks this row until its commit, so
    # messages of a room commit in the order of their `seq` and their `id`, with no holes.
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    """A person in a room, their role there, and how far they have read."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    # The id of the newest message this person has seen here; only ever moves forward.
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_membership_room_user_uniq")]
        indexes = [models.Index(fields=["user", "room"], name="chat_membership_user_room")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id}"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class Message(models.Model):
    """One message. Deleting blanks the text and keeps the row as a tombstone, so ids, threads and
    a reconnecting client's catch-up stay consistent; the edit history goes with the text."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    # 1, 2, 3... within the room, in commit order (see Room.last_seq): a process that receives
    # seq 7 before seq 6 knows 6 exists and waits for it (or reads it) before passing 7 on, so
    # no client ever holds a newer message while missing an older one of the same room.
    seq = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    # `body` rendered by chat.markdown; never HTML from the author.
    html = models.TextField()
    # Chosen by the sending client; a retried send with the same one is stored once.
    client_id = models.CharField(max_length=64, null=True, blank=True)
    # The first message of the thread this one replies to (replies to replies join the root).
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    reply_count = models.PositiveIntegerField(default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Any change (edit, delete, reaction) moves it, so a client can catch up on changes too.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("body", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            # Keyset pages of a room's history, both directions.
            models.Index(fields=["room", "id"], name="chat_message_room_id"),
            models.Index(fields=["thread", "id"], name="chat_message_thread_id", condition=Q(thread__isnull=False)),
            GinIndex(fields=["search_vector"], name="chat_message_search"),
            # Time ranges for analytics (analytics.stats). Rows arrive in time order, so a BRIN
            # index finds an hour or a day among a million messages and costs the send path
            # almost nothing, unlike a B-tree.
            BrinIndex(fields=["created_at"], name="chat_message_created_brin"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_room_seq_uniq"),
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="chat_message_author_client_id_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} in {self.room_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageEdit(models.Model):
    """The text a message had before an edit."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    edited_at = models.DateTimeField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"edit of {self.message_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="chat_reaction_message_user_emoji_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message_id}"


class Mention(models.Model):
    """Someone named in a message with `@handle`; they are notified and it counts as unread."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="chat_mention_message_user_uniq")]
        indexes = [models.Index(fields=["user", "room", "message"], name="chat_mention_user_room_msg")]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.message_id}"


class ReadEvent(models.Model):
    """Someone's read position moving forward in a room: the messages after `from_id` up to
    `to_id` were read at `at`. Kept for analytics' "messages read" (analytics.stats), which counts
    the messages of others in that range; the position itself is Membership.last_read_id."""

    # No database constraints: a log must never stop a room or a person from being deleted (a
    # read committed while the room's deletion runs would fail it at commit). Deleting cascades
    # in Django as usual, and analytics joins the person, so a stray row counts nothing.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    from_id = models.BigIntegerField()
    to_id = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [BrinIndex(fields=["at"], name="chat_readevent_at_brin")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.room_id} to {self.to_id}"
