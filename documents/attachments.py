"""Documents as what chat messages carry: documents' side of chat.attachments, registered from
DocumentsConfig.ready(). Chat reaches documents only through this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db.models import Prefetch
from rest_framework import serializers

from accounts.models import User
from chat.attachments import AttachmentHits, AttachmentQuery, Attachments
from chat.models import Message
from documents.access import access_documents_to_share
from documents.actions.attachments import do_attach_documents, do_unlink_documents
from documents.api.serializers import DocumentSerializer
from documents.models import Document, MessageAttachment
from documents.payloads import document_payload
from documents.search import PageCursor, search_documents
from documents.views import upload_settings
from tenants.models import Client


class DocumentAttachments(Attachments):
    def access_to_share(self, user: User, ids: Iterable[object]) -> Sequence[Document]:
        return access_documents_to_share(user, ids)

    def store(self, message: Message, attached: Sequence[object]) -> None:
        do_attach_documents(message=message, documents=cast(Sequence[Document], attached))

    def unlink(self, message: Message) -> None:
        do_unlink_documents(message=message)

    def prefetch(self) -> list[Prefetch[Any]]:
        links = MessageAttachment.objects.select_related("document__uploader").order_by("position")
        return [Prefetch("attachment_links", queryset=links)]

    def payloads(self, message: Message) -> list[dict[str, Any]]:
        links = cast(Any, message).attachment_links.all()
        return [document_payload(link.document) for link in links]

    def payload(self, attached: object) -> dict[str, Any]:
        return document_payload(cast(Document, attached))

    def field(self) -> serializers.Field:
        return DocumentSerializer(many=True, help_text="The documents the message carries.")

    def search_fields(self) -> dict[str, serializers.Field]:
        return {
            "document": DocumentSerializer(required=False, help_text="A document hit."),
            "page": serializers.IntegerField(required=False, help_text="A document hit's page (1-based)."),
        }

    def search(self, query: AttachmentQuery) -> AttachmentHits:
        found = search_documents(
            query.user,
            query.q,
            room=query.room,
            uploader=query.author,
            after=query.after,
            before=query.before,
            limit=query.limit,
            cursor=PageCursor.from_json(query.cursor) if query.cursor is not None else None,
        )
        return AttachmentHits(hits=found.hits, next=found.next.to_json() if found.next else None)

    def check_cursor(self, raw: object) -> object:
        return PageCursor.from_json(raw).to_json()

    def page_settings(self, tenant: Client) -> dict[str, Any]:
        return upload_settings(tenant)
