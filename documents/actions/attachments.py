"""The documents a message carries: stored with the message, unlinked when it is deleted.

Called through chat.attachments (documents.attachments registers them), inside chat's send and
delete transactions; the documents were checked with documents.access.access_documents_to_share.
"""

from __future__ import annotations

from collections.abc import Sequence

from chat.models import Message
from documents.models import Document, MessageAttachment


def do_attach_documents(*, message: Message, documents: Sequence[Document]) -> None:
    """In the order given. Precondition: inside the transaction that writes `message`."""
    MessageAttachment.objects.bulk_create(
        [MessageAttachment(message=message, document=document, position=i) for i, document in enumerate(documents)]
    )


def do_unlink_documents(*, message: Message) -> None:
    """The documents stay: others may share them, and their uploaders keep them."""
    MessageAttachment.objects.filter(message=message).delete()
