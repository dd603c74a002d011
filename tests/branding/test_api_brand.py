"""`/api/brand/`: the draft, images, publishing, the history and restoring, as CONTRACT.md has
them; owners and admins only for writes; one tenant's brand never seen from the other."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from branding.models import Brand, BrandAsset, BrandVersion
from tests.support.branding import Capture, png, publish, upload
from tests.support.chat_api import Person
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db


def test_published_brand_is_readable_by_everyone_signed_in_and_nobody_else(
    member_a: Person, tenant_a: TenantInfo
) -> None:
    # when: a member reads the brand
    brand = member_a.get("/api/brand/")

    # then: the published version with every field of the contract
    assert brand.status_code == 200
    body = brand.json()
    assert body["version"] >= 1 and body["display_name"] == "Acme"
    for field in (
        "published_at",
        "primary_colour",
        "accent_colour",
        "login_headline",
        "login_text",
        "email_sender_name",
        "email_footer",
        "custom_css",
        "legal_links",
        "show_powered_by",
    ):
        assert field in body
    assert set(body["assets"]) >= {"logo", "logo_dark", "icon", "favicon", "login_background"}
    assert body["show_powered_by"] is True
    # and: signed out, it is 401
    assert host_client(tenant_a.host).get("/api/brand/").status_code == 401


def test_members_cannot_touch_the_draft(member_a: Person) -> None:
    for method, path in [
        ("get", "/api/brand/draft/"),
        ("patch", "/api/brand/draft/"),
        ("post", "/api/brand/publish/"),
        ("get", "/api/brand/versions/"),
        ("post", "/api/brand/versions/1/restore/"),
    ]:
        assert_error(member_a.api.call(method, path, {}), 403)
    assert_error(upload(member_a, "logo", png()), 403)


def test_draft_changes_show_only_once_published(
    owner_a: Person, member_a: Person, tenant_a: TenantInfo, on_commit: Capture
) -> None:
    # given: the owner renames the product and sets its sign-in words in the draft
    changed = owner_a.patch(
        "/api/brand/draft/",
        {"display_name": "Acme Chat", "login_headline": "Welcome back", "primary_colour": "#0F766E"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["primary_colour"] == "#0f766e" and changed.json()["unpublished_changes"] is True

    # then: pages still show the published brand
    assert "Welcome back" not in host_client(tenant_a.host).get("/login/").content.decode()
    assert member_a.get("/api/brand/").json()["display_name"] == "Acme"

    # when: it is published
    published = publish(owner_a, on_commit)
    assert published.status_code == 201, published.content
    assert "product name" in published.json()["changes"]

    # then: the sign-in page, the API and page titles use it at once
    login = host_client(tenant_a.host).get("/login/").content.decode()
    assert "Welcome back" in login and "#0f766e" in login and "<title>Sign in · Acme Chat</title>" in login
    assert member_a.get("/api/brand/").json()["display_name"] == "Acme Chat"
    assert owner_a.get("/api/brand/draft/").json()["unpublished_changes"] is False
    # and: publishing the same draft again is refused
    assert_error(publish(owner_a, on_commit), 409, "unchanged")


def test_low_contrast_colour_is_refused_with_its_ratio_and_a_passing_suggestion(owner_a: Person) -> None:
    # when: a pale yellow is chosen as the primary colour
    refused = owner_a.patch("/api/brand/draft/", {"primary_colour": "#fde68a"})

    # then: 400 low_contrast with the measured ratio and a colour that passes
    body = assert_error(refused, 400, "low_contrast")
    assert body["field"] == "primary_colour" and body["ratio"] < body["required"]
    suggestion = body["suggestion"]
    assert suggestion != "#fde68a"
    with schema_context(owner_a.tenant.schema):
        assert Brand.objects.get().primary_colour != "#fde68a"  # nothing stored

    # and: the suggestion is accepted as it is
    assert owner_a.patch("/api/brand/draft/", {"primary_colour": suggestion}).status_code == 200
    # and: the pale colour is kept when the request accepts it knowingly
    kept = owner_a.patch("/api/brand/draft/", {"primary_colour": "#fde68a", "accept_low_contrast": True})
    assert kept.status_code == 200 and kept.json()["primary_colour"] == "#fde68a"


def test_contrast_check_reports_ratios_and_palette(owner_a: Person) -> None:
    checked = owner_a.get("/api/brand/contrast/", {"primary_colour": "#facc15", "accent_colour": "#0e7490"})

    assert checked.status_code == 200
    body = checked.json()
    assert [p["field"] for p in body["problems"]] == ["primary_colour"]
    assert set(body["ratios"]) == {"primary_on_surface", "primary_text", "accent_on_surface", "accent_text"}
    assert body["palette"]["light"]["brand-primary"] == "#facc15" and "brand-primary" in body["palette"]["dark"]
    assert_error(owner_a.get("/api/brand/contrast/", {"primary_colour": "red", "accent_colour": "#000000"}), 400)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"primary_colour": "blue"}, "primary_colour"),
        ({"primary_colour": "#12345"}, "primary_colour"),
        ({"accent_colour": "#gggggg"}, "accent_colour"),
        ({"accent_colour": 123}, "accent_colour"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"display_name": "Two\nlines"}, "display_name"),
        ({"login_text": "x" * 501}, "login_text"),
        ({"email_reply_to": "not an address"}, "email_reply_to"),
        ({"email_sender_name": "Acme\r\nBcc: victim@example.com"}, "email_sender_name"),
        ({"legal_links": [{"label": "Terms", "url": "javascript:alert(1)"}]}, "legal_links"),
        ({"legal_links": [{"label": "Terms", "url": "/relative"}]}, "legal_links"),
        ({"legal_links": [{"label": "", "url": "https://acme.example/terms"}]}, "legal_links"),
        ({"legal_links": [{"label": f"L{n}", "url": "https://acme.example/x"} for n in range(6)]}, "legal_links"),
        ({"legal_links": "https://acme.example/terms"}, "legal_links"),
        ({"custom_css": "@import url(https://evil.example/x.css);"}, "custom_css"),
        ({"custom_css": "</style><script>alert(1)</script>"}, "custom_css"),
        ({"hide_powered_by": "yes"}, "hide_powered_by"),
        ({"assets": {"logo": 999999}}, "assets"),
        ({"assets": {"favicon": None}}, "assets"),
        ({"colour": "#000000"}, "colour"),
    ],
)
def test_bad_draft_changes_are_refused_and_nothing_is_stored(
    owner_a: Person, changes: dict[str, object], field: str
) -> None:
    with schema_context(owner_a.tenant.schema):
        before = Brand.objects.values().get()

    body = assert_error(owner_a.patch("/api/brand/draft/", changes), 400)

    assert body["field"] == field
    with schema_context(owner_a.tenant.schema):
        assert Brand.objects.values().get() == before


def test_hiding_powered_by_needs_a_plan_that_allows_it(
    owner_a: Person, tenant_a: TenantInfo, on_commit: Capture
) -> None:
    from billing.entitlements import forget_plan
    from billing.models import Plan

    # given: the tenant's plan shows the line
    body = assert_error(owner_a.patch("/api/brand/draft/", {"hide_powered_by": True}), 402, "plan_limit")
    assert body["limit"] == "hide_powered_by"

    # when: its plan allows hiding it
    plan = Plan.objects.get(entitlements__client=tenant_a.client)
    plan.can_hide_powered_by = True
    plan.save(update_fields=["can_hide_powered_by"])
    forget_plan(plan)

    # then: it can be hidden, and once published the pages drop it
    assert owner_a.patch("/api/brand/draft/", {"hide_powered_by": True}).status_code == 200
    assert "Powered by" in host_client(tenant_a.host).get("/login/").content.decode()
    publish(owner_a, on_commit)
    assert "Powered by" not in host_client(tenant_a.host).get("/login/").content.decode()
    assert owner_a.get("/api/brand/").json()["show_powered_by"] is False


def test_uploaded_logo_is_stored_under_the_tenant_prefix_and_served_by_its_hash(
    owner_a: Person, owner_b: Person, tenant_a: TenantInfo, tenant_b: TenantInfo, brand_env: Path
) -> None:
    # when: A uploads a logo under a hostile name
    uploaded = upload(owner_a, "logo", png(600, 120), name="../../etc/acme logo.png")

    # then: it is in the draft, stored under A's prefix by its digest
    assert uploaded.status_code == 201, uploaded.content
    image = uploaded.json()["images"]["logo"]
    assert image["width"] == 600 and image["height"] == 120
    path = image["url"].split("://", 1)[1].split("/", 1)[1]
    with schema_context(tenant_a.schema):
        asset = BrandAsset.objects.get(pk=image["id"])
    assert asset.file.name == f"tenants/{tenant_a.schema}/branding/{asset.digest}.png"
    assert (brand_env / asset.file.name).exists()

    # and: A's host serves it, cached for a year; B's host has no such image
    served = host_client(tenant_a.host).get(f"/{path}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert "max-age=31536000" in served["Cache-Control"] and "immutable" in served["Cache-Control"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert host_client(tenant_b.host).get(f"/{path}").status_code == 404

    # and: B cannot put A's asset into its own draft by id
    assert_error(owner_b.patch("/api/brand/draft/", {"assets": {"logo": image["id"]}}), 400)


def test_icon_yields_the_favicon_set_and_the_manifest(
    owner_a: Person, tenant_a: TenantInfo, on_commit: Capture
) -> None:
    # given: a published icon
    assert upload(owner_a, "icon", png(512, 512, "#1d4ed8")).status_code == 201
    publish(owner_a, on_commit)
    site = host_client(tenant_a.host)

    # then: the pages link the favicon set and the manifest
    page = site.get("/login/").content.decode()
    for size in ("16", "32", "180"):
        assert f'sizes="{size}x{size}"' in page
    assert 'rel="manifest" href="/manifest.webmanifest"' in page

    # and: /favicon.ico is an ICO, the manifest names the workspace and its icons resolve
    ico = site.get("/favicon.ico")
    assert ico.status_code == 200 and ico["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    manifest = site.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["name"] == "Acme" and body["start_url"] == "/"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert site.get(icon["src"]).status_code == 200


def test_workspace_without_an_icon_gets_its_letter_icon(tenant_b: TenantInfo, brand_env: Path) -> None:
    site = host_client(tenant_b.host)

    manifest = site.get("/manifest.webmanifest").json()
    icon = site.get(manifest["icons"][0]["src"])

    assert icon.status_code == 200 and icon["Content-Type"] == "image/png"
    assert site.get("/favicon.ico").status_code == 200
    assert site.get("/brand/letter-icon/0123456789abcdef/192.png").status_code == 404


def test_history_lists_who_published_what_and_restore_brings_a_version_back(
    owner_a: Person, tenant_a: TenantInfo, on_commit: Capture
) -> None:
    # given: two published versions with different colours
    owner_a.patch("/api/brand/draft/", {"primary_colour": "#0f766e"})
    first = publish(owner_a, on_commit).json()["version"]
    owner_a.patch("/api/brand/draft/", {"primary_colour": "#7c3aed"})
    second = publish(owner_a, on_commit).json()["version"]

    # then: the history, newest first, names the publisher and what changed
    history = owner_a.get("/api/brand/versions/", {"limit": 1}).json()
    assert history["results"][0]["version"] == second
    assert history["results"][0]["published_by"]["name"] == "Olive Owner"
    assert history["results"][0]["changes"] == ["primary colour"]
    older = owner_a.get("/api/brand/versions/", {"before": history["next_before"], "limit": 1}).json()
    assert older["results"][0]["version"] == first

    # when: the first is restored and published in one call
    with on_commit(execute=True):
        restored = owner_a.post(f"/api/brand/versions/{first}/restore/", {"publish": True})

    # then: its colour is back on every page, as a new version that says where it came from
    assert restored.status_code == 200 and restored.json()["primary_colour"] == "#0f766e"
    assert "#0f766e" in host_client(tenant_a.host).get("/login/").content.decode()
    newest = owner_a.get("/api/brand/versions/").json()["results"][0]
    assert newest["version"] == second + 1 and newest["restored_from"] == first
    assert_error(owner_a.post("/api/brand/versions/9999/restore/", {}), 404)


def test_brand_of_one_tenant_never_shows_on_the_other(
    owner_a: Person, owner_b: Person, tenant_a: TenantInfo, tenant_b: TenantInfo, on_commit: Capture
) -> None:
    # given: A publishes a distinctive brand with an image and custom CSS
    upload(owner_a, "logo", png(300, 80, "#be123c"))
    owner_a.patch(
        "/api/brand/draft/",
        {"display_name": "Acme Rebrand", "login_headline": "Acme only", "custom_css": ".card { border-width: 3px; }"},
    )
    publish(owner_a, on_commit)
    logo = owner_a.get("/api/brand/").json()["assets"]["logo"]

    # then: B's pages, API and history show none of it
    page_b = host_client(tenant_b.host).get("/login/").content.decode()
    assert "Acme" not in page_b and "border-width: 3px" not in page_b
    assert logo.rsplit("/", 1)[1] not in page_b
    brand_b = owner_b.get("/api/brand/").json()
    assert brand_b["display_name"] == "Globex" and brand_b["assets"]["logo"] is None
    assert all(v["display_name"] != "Acme Rebrand" for v in owner_b.get("/api/brand/versions/").json()["results"])
    with schema_context(tenant_b.schema):
        assert not BrandVersion.objects.filter(values__display_name="Acme Rebrand").exists()
    # and: A's token is refused on B's host
    assert owner_a.api.http.get("/api/brand/", HTTP_HOST=tenant_b.host, **owner_a.api.headers).status_code == 401
