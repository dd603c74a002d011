"""Brand images through `/api/brand/draft/assets/`: every refusal is a clear 4xx with its code,
and nothing is stored (no row, no file, the draft unchanged); a clean SVG logo is accepted."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from PIL import Image

from branding.models import Brand, BrandAsset
from tests.support.branding import CLEAN_LOGO, Capture, png, png_declaring, publish, svg, upload
from tests.support.chat_api import Person
from tests.support.people_api import assert_error

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(out, format="GIF")
    return out.getvalue()


REFUSED = [
    # (what, kind, content, status, code)
    ("over the logo limit", "logo", png(64, 64) + b"\0" * (3 * MB), 413, "too_large"),
    ("over the upload limit", "login_background", b"\x89PNG" + b"\0" * (9 * MB), 413, "too_large"),
    ("HTML named .png", "logo", b"<!doctype html><script>alert(1)</script>", 415, "unsupported_type"),
    ("a GIF", "icon", gif(), 415, "unsupported_type"),
    ("a program", "logo", b"\x7fELF\x02\x01\x01" + b"\0" * 64, 415, "unsupported_type"),
    ("an image bomb", "logo", png_declaring(30_000, 30_000), 400, "too_many_pixels"),
    ("a truncated PNG", "logo", png(300, 80)[:60], 400, "corrupt"),
    ("a tiny icon", "icon", png(16, 16), 400, "too_small"),
    ("an SVG with script", "logo", svg("<script>alert(1)</script>"), 400, "svg_unsafe"),
    ("an SVG event handler", "logo", svg('<rect width="10" height="10" onload="alert(1)"/>'), 400, "svg_unsafe"),
    ("an SVG external image", "logo", svg('<image href="https://evil.example/x.png"/>'), 400, "svg_unsafe"),
    (
        "an SVG foreignObject",
        "logo",
        svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'),
        400,
        "svg_unsafe",
    ),
    (
        "an SVG javascript link",
        "logo",
        svg('<a href="javascript:alert(1)"><rect width="9" height="9"/></a>'),
        400,
        "svg_unsafe",
    ),
]


@pytest.mark.parametrize(("what", "kind", "content", "status", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_images_answer_a_clear_4xx_and_store_nothing(
    owner_a: Person, brand_env: Path, what: str, kind: str, content: bytes, status: int, code: str
) -> None:
    with schema_context(owner_a.tenant.schema):
        draft_before = Brand.objects.values().get()
        assets_before = BrandAsset.objects.count()

    body = assert_error(upload(owner_a, kind, content, name="logo.png"), status, code)

    assert body["detail"].endswith(".")  # a sentence for people
    with schema_context(owner_a.tenant.schema):
        assert Brand.objects.values().get() == draft_before
        assert BrandAsset.objects.count() == assets_before
    assert not any(path.is_file() for path in brand_env.rglob("*"))


def test_upload_of_an_unknown_kind_or_no_file_is_refused(owner_a: Person) -> None:
    assert_error(upload(owner_a, "favicon", png()), 400)
    missing = owner_a.api.http.post("/api/brand/draft/assets/", {"kind": "logo"}, **owner_a.api.headers)
    assert_error(missing, 400)


def test_clean_svg_logo_is_accepted_and_served_as_svg_with_a_sandbox(owner_a: Person) -> None:
    uploaded = upload(owner_a, "logo", CLEAN_LOGO.encode() if isinstance(CLEAN_LOGO, str) else CLEAN_LOGO)

    assert uploaded.status_code == 201, uploaded.content
    image = uploaded.json()["images"]["logo"]
    assert image["content_type"] == "image/svg+xml" and image["url"].endswith(".svg")
    served = owner_a.api.http.get("/" + image["url"].split("/", 3)[3])
    assert served.status_code == 200 and served["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served["Content-Security-Policy"]


def test_the_same_image_twice_is_stored_once(owner_a: Person, brand_env: Path) -> None:
    first = upload(owner_a, "logo", png(400, 100, "#334155")).json()["images"]["logo"]
    second = upload(owner_a, "logo", png(400, 100, "#334155")).json()["images"]["logo"]

    assert first["id"] == second["id"]
    assert len([p for p in brand_env.rglob("*") if p.is_file()]) == 1


def test_an_svg_wordmark_reaches_e_mails_as_a_png(owner_a: Person, on_commit: Capture) -> None:
    from branding.emails import render_branded_email
    from branding.theme import forget_theme

    # given: a published SVG wordmark
    assert upload(owner_a, "logo", CLEAN_LOGO.encode()).status_code == 201
    publish(owner_a, on_commit)

    # when: an e-mail is rendered
    with schema_context(owner_a.tenant.schema):
        forget_theme()
        email = render_branded_email(
            tenant=owner_a.tenant.client, to="x@acme.test", template="password_changed", context={}
        )

    # then: it carries a PNG of it (mail clients show no SVG), served from the tenant's host
    logo = re.search(r'<img src="(https?://[^"]+)"', email.html)
    assert logo is not None and logo.group(1).endswith(".png")
    served = owner_a.api.http.get("/" + logo.group(1).split("/", 3)[3])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
