"""The documented shapes of the brand endpoints (branding.payloads builds them). Draft changes are
checked by branding.validation, one set of rules for every entry point; these classes describe
them for the OpenAPI schema and check the few query and upload parameters."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from branding.values import ASSET_KINDS
from config.api.fields import PersonRefSerializer


class BrandLegalLinkSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(max_length=40)  # type: ignore[assignment]  # a field named like Field.label
    url = serializers.CharField(max_length=500, help_text="https://, http:// or mailto:")


class BrandAssetUrlsSerializer(serializers.Serializer[Any]):
    logo = serializers.URLField(allow_null=True)
    logo_dark = serializers.URLField(allow_null=True)
    icon = serializers.URLField(allow_null=True)
    icon_dark = serializers.URLField(allow_null=True)
    favicon = serializers.URLField(allow_null=True, help_text="favicon.ico made from the icon")
    login_background = serializers.URLField(allow_null=True)


class BrandPaletteSerializer(serializers.Serializer[Any]):
    light = serializers.DictField(child=serializers.CharField(), help_text="CSS custom properties, #rrggbb")
    dark = serializers.DictField(child=serializers.CharField())


class BrandFieldsSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=100)
    primary_colour = serializers.CharField(help_text="#rrggbb")
    accent_colour = serializers.CharField(help_text="#rrggbb")
    palette = BrandPaletteSerializer(read_only=True)
    login_headline = serializers.CharField(max_length=120, allow_blank=True)
    login_text = serializers.CharField(max_length=500, allow_blank=True)
    email_sender_name = serializers.CharField(max_length=100, allow_blank=True)
    email_reply_to = serializers.EmailField(allow_blank=True)
    email_footer = serializers.CharField(max_length=500, allow_blank=True)
    custom_css = serializers.CharField(allow_blank=True, help_text="As written; served filtered and scoped")
    legal_links = BrandLegalLinkSerializer(many=True)
    assets = BrandAssetUrlsSerializer(read_only=True)


class BrandSerializer(BrandFieldsSerializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    show_powered_by = serializers.BooleanField()


class BrandImageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    content_type = serializers.CharField()


class BrandDraftSerializer(BrandFieldsSerializer):
    images = serializers.DictField(
        child=BrandImageSerializer(allow_null=True), help_text=f"By kind: {', '.join(ASSET_KINDS)}"
    )
    hide_powered_by = serializers.BooleanField()
    may_hide_powered_by = serializers.BooleanField(help_text="Whether the plan lets the workspace hide it")
    updated_at = serializers.DateTimeField()
    updated_by = PersonRefSerializer(allow_null=True)
    published_version = serializers.IntegerField(allow_null=True)
    unpublished_changes = serializers.BooleanField()


class BrandDraftUpdateSerializer(serializers.Serializer[Any]):
    """Any of these; fields left out keep their value."""

    display_name = serializers.CharField(required=False)
    primary_colour = serializers.CharField(required=False)
    accent_colour = serializers.CharField(required=False)
    accept_low_contrast = serializers.BooleanField(
        required=False, help_text="Keep colours that fail WCAG AA contrast (otherwise 400 `low_contrast`)"
    )
    login_headline = serializers.CharField(required=False, allow_blank=True)
    login_text = serializers.CharField(required=False, allow_blank=True)
    email_sender_name = serializers.CharField(required=False, allow_blank=True)
    email_reply_to = serializers.CharField(required=False, allow_blank=True)
    email_footer = serializers.CharField(required=False, allow_blank=True)
    custom_css = serializers.CharField(required=False, allow_blank=True)
    legal_links = BrandLegalLinkSerializer(many=True, required=False)
    hide_powered_by = serializers.BooleanField(required=False)
    assets = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        help_text="`{kind: null}` removes an image; `{kind: id}` puts back one uploaded before",
    )


class BrandImageUploadSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ASSET_KINDS)
    file = serializers.FileField(allow_empty_file=True, use_url=False, help_text="PNG, JPEG, WebP or SVG")


class BrandVersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    published_by = PersonRefSerializer(allow_null=True)
    changes = serializers.ListField(child=serializers.CharField(), help_text="What changed against the version before")
    restored_from = serializers.IntegerField(allow_null=True)
    display_name = serializers.CharField()
    primary_colour = serializers.CharField()
    accent_colour = serializers.CharField()
    logo = serializers.URLField(allow_null=True)
    icon = serializers.URLField(allow_null=True)


class BrandVersionPageSerializer(serializers.Serializer[Any]):
    results = BrandVersionSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True, help_text="Pass as `before` for older versions")


class BrandVersionsQuerySerializer(serializers.Serializer[Any]):
    before = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)


class BrandRestoreSerializer(serializers.Serializer[Any]):
    publish = serializers.BooleanField(required=False, default=False, help_text="Publish it at once as a new version")


class BrandContrastQuerySerializer(serializers.Serializer[Any]):
    primary_colour = serializers.CharField(max_length=7)
    accent_colour = serializers.CharField(max_length=7)


class BrandContrastProblemSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    against = serializers.CharField()
    ratio = serializers.FloatField()
    required = serializers.FloatField()  # type: ignore[assignment]  # a field named like Field.required
    suggestion = serializers.CharField()
    detail = serializers.CharField()


class BrandContrastSerializer(serializers.Serializer[Any]):
    problems = BrandContrastProblemSerializer(many=True)
    ratios = serializers.DictField(child=serializers.FloatField())
    palette = BrandPaletteSerializer()
