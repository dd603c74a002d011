"""Input checks and the documented output of the document endpoints (documents.payloads)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.api.fields import PersonRefSerializer, id_field
from documents.models import Document
from documents.selectors import MAX_PAGE_SIZE


class UploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=True, use_url=False, help_text="The file (multipart).")
    room = id_field(required=False, allow_null=True, help_text="Share it in this room (its readers may read it).")


class ListQuerySerializer(serializers.Serializer[Any]):
    room = id_field(required=False, help_text="Only documents shared in this room.")
    before = id_field(required=False, help_text="Older than this document id.")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=30)


class TextQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=20)

    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword, so it cannot be declared as a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(
            min_value=1, max_value=10**6, required=False, default=1, help_text="The first page wanted (1-based)."
        )
        return fields


class DocumentSerializer(serializers.Serializer[Any]):
    """documents.payloads.document_payload: the same object the WebSocket and messages carry."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The uploaded name, cleaned for display (Unicode kept).")
    content_type = serializers.CharField(help_text="Decided from the file's content.")
    size = serializers.IntegerField(help_text="Bytes.")
    status = serializers.ChoiceField(choices=Document.Status.values)
    error = serializers.CharField(allow_null=True, help_text="Why it could not be read, for people.")
    error_code = serializers.ChoiceField(choices=Document.Failure.values, allow_null=True)
    pages = serializers.IntegerField(allow_null=True, help_text="Page count, once known.")
    pages_done = serializers.IntegerField(help_text="Pages read so far.")
    title = serializers.CharField()
    author = serializers.CharField()
    authored_at = serializers.DateTimeField(allow_null=True, help_text="The creation date the file records.")
    excerpt = serializers.CharField(help_text="The first lines of text.")
    room = serializers.IntegerField(allow_null=True)
    uploader = PersonRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The viewer page.")
    download_url = serializers.CharField(help_text="The original file.")


class DocumentPageSerializer(serializers.Serializer[Any]):
    results = DocumentSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True)


class TextPageSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    text = serializers.CharField()
    error = serializers.CharField(allow_null=True, help_text="Why this page has no text, when it could not be read.")
    ocr = serializers.BooleanField(help_text="The text was recognised in the page's image (OCR of a scan).")


class TextSerializer(serializers.Serializer[Any]):
    document = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Document.Status.values)
    pages = TextPageSerializer(many=True)
    next_from = serializers.IntegerField(allow_null=True, help_text="Pass as `from` for the following pages.")
