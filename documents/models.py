"""Documents, in each tenant's schema: uploaded files, their text page by page, and the messages
that carry them.

A document is readable by the person who uploaded it, by the readers of the room it was uploaded
to, and by the readers of every room where a message (not deleted) carries it
(documents.access). Its file lives under the tenant's prefix and is only ever served through a
view that has checked that (ARCHITECTURE rule 7).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Now

from chat.models import SEARCH_CONFIG
from tenants.storage import TenantUploadPath


class Document(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be read"
        PROCESSING = "processing", "Reading"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be read"

    class Failure(models.TextChoices):
        """Why a document could not be read; `label` is what a person is told."""

        ENCRYPTED = "encrypted", "This PDF is protected by a password, so its text cannot be read."
        CORRUPTED = "corrupted", "This PDF is damaged and could not be read."
        NO_TEXT = "no_text", "This PDF has no text layer (it may be a scan), so there is nothing to search."
        TOO_MANY_PAGES = "too_many_pages", "This PDF has more pages than can be read."
        TIMED_OUT = "timed_out", "Reading this PDF took too long and was stopped."
        TOO_LARGE = "too_large", "This PDF needs more memory to read than is allowed."
        OCR_UNAVAILABLE = (
            "ocr_unavailable",
            "This PDF is a scan, and reading scans is not set up on this server, so its text could not be read.",
        )
        PLAN_LIMIT = (
            "plan_limit",
            (
                "Reading this document would take the workspace past its plan's pages for this month, "
                "so it was not read. An owner can upgrade on the billing page."
            ),
        )

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    # The room it was uploaded to, if any: its readers may read the document.
    room = models.ForeignKey("chat.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    # The name people see: the uploaded name, cleaned (documents.validation.display_name).
    name = models.CharField(max_length=255)
    # Stored under `tenants/<schema>/documents/<random>/<safe name>`: unguessable, never served directly.
    file = models.FileField(upload_to=TenantUploadPath("documents"), max_length=400)
    # Decided from the content (documents.validation), never from the name or the client.
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=32, choices=Failure.choices, blank=True)
    # Metadata from the PDF's information dictionary.
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=500, blank=True)
    authored_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    # The first lines of text, for the card a message shows.
    excerpt = models.CharField(max_length=500, blank=True)

    # How many times extraction was started; a document that keeps killing its worker stops.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Moves whenever extraction makes progress; a document that stops moving is resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["uploader", "id"], name="documents_uploader_id"),
            models.Index(fields=["room", "id"], name="documents_room_id"),
            # Unfinished documents, for the sweeper. Written with OR rather than IN: PostgreSQL
            # prints an IN list differently once a tenant schema is cloned from the template.
            models.Index(
                fields=["heartbeat_at"],
                name="documents_unfinished",
                condition=models.Q(status="pending") | models.Q(status="processing"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def error_message(self) -> str:
        return self.Failure(self.error).label if self.error else ""


class DocumentPage(models.Model):
    """The text of one page (1-based `number`). Written once per page, so a retried extraction
    adds nothing twice, and searchable as soon as it is committed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    # Why this page has no text, when it could not be read (a Document.Failure value).
    error = models.CharField(max_length=32, blank=True)
    # The text was recognised in the page's image (a scan, read by OCR), not taken from a text
    # layer: it may hold misread words. db_default too, for rows inserted with raw SQL.
    ocr = models.BooleanField(default=False, db_default=False)
    # When the page was stored (analytics counts pages extracted by it). db_default: pages are
    # written with raw SQL too.
    extracted_at = models.DateTimeField(db_default=Now())
    search_vector = models.GeneratedField(
        expression=SearchVector("text", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["document", "number"]
        indexes = [GinIndex(fields=["search_vector"], name="documents_page_search")]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_page_number_uniq")]

    def __str__(self) -> str:
        return f"page {self.number} of {self.document_id}"


class MessageAttachment(models.Model):
    """A document carried by a message. Deleting the message removes the link, never the document."""

    message = models.ForeignKey("chat.Message", on_delete=models.CASCADE, related_name="attachment_links")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="message_links")
    # Order within the message.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["message", "position"]
        constraints = [
            models.UniqueConstraint(fields=["message", "document"], name="documents_attachment_uniq"),
        ]
        indexes = [models.Index(fields=["document", "message"], name="documents_attachment_document")]

    def __str__(self) -> str:
        return f"{self.document_id} in message {self.message_id}"
