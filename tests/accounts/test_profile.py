"""The profile page, profile pictures (re-encoded, served only inside their tenant) and
`PATCH /api/me/`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from tests.support.accounts import api_token, create_user, signed_in
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def picture(colour: str = "red", size: tuple[int, int] = (600, 400), fmt: str = "JPEG") -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make: metadata that must not survive
    image.save(out, format=fmt, exif=exif)
    return SimpleUploadedFile(f"me.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


def stored(tenant: TenantInfo, user: User) -> User:
    with schema_context(tenant.schema):
        return User.objects.get(pk=user.pk)


def save_profile(browser: HttpClient, **fields: Any) -> Any:
    return browser.post("/settings/profile/", {"name": "", "time_zone": "UTC", **fields})


def served_colour(response: Any) -> tuple[int, ...]:
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
        assert not image.getexif()
        return tuple(image.convert("RGB").getpixel((128, 128)))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Name and time zone
# ---------------------------------------------------------------------------------------------


def test_profile_page_shows_the_current_values(tenant_a: TenantInfo) -> None:
    user = create_user(tenant_a, name="Ada Lovelace")
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=user.pk).update(time_zone="Europe/London")

    response = signed_in(tenant_a, user.email).get("/settings/profile/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ada Lovelace"' in html
    assert '<option value="Europe/London" selected>' in html
    assert html.count(" selected>") == 1
    assert user.email in html


def test_profile_update_saves_name_and_time_zone(tenant_a: TenantInfo) -> None:
    # given
    user = create_user(tenant_a)
    browser = signed_in(tenant_a, user.email)

    # when
    response = save_profile(browser, name="  Grace Hopper ", time_zone="America/New_York")

    # then
    assert response.status_code == 302 and response["Location"] == "/settings/profile/"
    page = browser.get("/settings/profile/").content.decode()
    assert "Your profile was saved." in page
    assert '<option value="America/New_York" selected>' in page
    saved = stored(tenant_a, user)
    assert (saved.name, saved.time_zone) == ("Grace Hopper", "America/New_York")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"time_zone": ""}, "This field is required."),
        ({"name": "n" * 151}, "at most 150 characters"),
        ({"name": "nul\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_profile_rejects_bad_input_and_changes_nothing(
    tenant_a: TenantInfo, fields: dict[str, str], message: str
) -> None:
    # given
    user = create_user(tenant_a, name="Unchanged")
    browser = signed_in(tenant_a, user.email)

    # when
    response = save_profile(browser, **{"name": "Unchanged", **fields})

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    saved = stored(tenant_a, user)
    assert (saved.name, saved.time_zone, saved.avatar.name) == ("Unchanged", "UTC", "")


def test_profile_needs_a_signed_in_person(client_a: HttpClient) -> None:
    response = client_a.get("/settings/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


def test_avatar_upload_is_reencoded_and_served_to_colleagues(tenant_a: TenantInfo) -> None:
    # given
    user = create_user(tenant_a)
    colleague = signed_in(tenant_a, create_user(tenant_a).email)

    # when
    response = save_profile(signed_in(tenant_a, user.email), avatar=picture("red"))

    # then: a 256 px PNG without the upload's metadata, served with strict headers
    assert response.status_code == 302
    served = colleague.get(f"/people/{user.pk}/avatar/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, max-age=3600"
    assert "default-src 'none'" in served["Content-Security-Policy"]
    red, green, blue = served_colour(served)
    assert red > 200 and green < 50 and blue < 50
    assert str(stored(tenant_a, user).avatar.name).startswith(f"tenants/{tenant_a.schema}/avatars/")


def test_avatar_shows_on_the_profile_page_and_can_be_removed(tenant_a: TenantInfo) -> None:
    # given: a person with a picture
    user = create_user(tenant_a)
    browser = signed_in(tenant_a, user.email)
    save_profile(browser, avatar=picture())
    page = browser.get("/settings/profile/").content.decode()
    assert f'src="/people/{user.pk}/avatar/?v=' in page and "Remove picture" in page

    # when
    response = save_profile(browser, remove_avatar="on")

    # then
    assert response.status_code == 302
    assert stored(tenant_a, user).avatar.name == ""
    assert browser.get(f"/people/{user.pk}/avatar/").status_code == 404
    assert "Remove picture" not in browser.get("/settings/profile/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("text.png", b"just some text, not a picture", "Upload a PNG"),
        ("empty.png", b"", "The submitted file is empty."),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
        ("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "Upload a PNG"),
    ],
)
def test_avatar_upload_refuses_what_is_not_a_small_picture(
    tenant_a: TenantInfo, name: str, content: bytes, message: str
) -> None:
    # given: a person with a picture and a name
    user = create_user(tenant_a, name="Kept")
    browser = signed_in(tenant_a, user.email)
    save_profile(browser, name="Kept", avatar=picture("blue"))
    before = stored(tenant_a, user).avatar.name

    # when
    response = save_profile(browser, name="Changed", avatar=SimpleUploadedFile(name, content, "image/png"))

    # then: a field error, and neither the picture nor the name changed
    assert response.status_code == 400
    assert message in response.content.decode()
    saved = stored(tenant_a, user)
    assert (saved.avatar.name, saved.name) == (before, "Kept")


def test_avatar_needs_a_signed_in_person(tenant_a: TenantInfo, client_a: HttpClient) -> None:
    user = create_user(tenant_a)
    save_profile(signed_in(tenant_a, user.email), avatar=picture())

    response = client_a.get(f"/people/{user.pk}/avatar/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_avatar_of_an_unknown_person_or_one_without_a_picture_is_404(tenant_a: TenantInfo) -> None:
    user = create_user(tenant_a)
    browser = signed_in(tenant_a, user.email)

    assert browser.get(f"/people/{user.pk}/avatar/").status_code == 404
    assert browser.get("/people/999999999/avatar/").status_code == 404


def test_avatar_of_tenant_a_is_never_served_on_tenant_b(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: A's owner has a red picture; B's person with the same id has none, then a blue one
    with schema_context(tenant_a.schema):
        owner_a = User.objects.get(email=tenant_a.owner_email)
    with schema_context(tenant_b.schema):
        assert User.objects.get(pk=owner_a.pk).email == tenant_b.owner_email
    assert save_profile(signed_in(tenant_a, tenant_a.owner_email), avatar=picture("red")).status_code == 302
    browser_b = signed_in(tenant_b, tenant_b.owner_email)

    # when / then: B answers for its own person of that id only
    assert browser_b.get(f"/people/{owner_a.pk}/avatar/").status_code == 404
    assert save_profile(browser_b, avatar=picture("blue")).status_code == 302
    red, _, blue = served_colour(browser_b.get(f"/people/{owner_a.pk}/avatar/"))
    assert blue > 200 and red < 50


# ---------------------------------------------------------------------------------------------
# PATCH /api/me/
# ---------------------------------------------------------------------------------------------


def patch_me(tenant: TenantInfo, access: str, body: object) -> Any:
    return host_client(tenant.host).patch(
        "/api/me/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {access}"
    )


def test_me_patch_changes_name_and_time_zone(tenant_a: TenantInfo) -> None:
    # given
    user = create_user(tenant_a, name="Old")
    access = api_token(tenant_a, user.email)

    # when
    response = patch_me(tenant_a, access, {"name": "New Name", "time_zone": "Asia/Tokyo"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["time_zone"], body["email"]) == ("New Name", "Asia/Tokyo", user.email)
    saved = stored(tenant_a, user)
    assert (saved.name, saved.time_zone) == ("New Name", "Asia/Tokyo")
    me = host_client(tenant_a.host).get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {access}").json()
    assert me["time_zone"] == "Asia/Tokyo"


def test_me_patch_changes_only_the_fields_sent(tenant_a: TenantInfo) -> None:
    user = create_user(tenant_a, name="Keep Me")
    access = api_token(tenant_a, user.email)

    response = patch_me(tenant_a, access, {"time_zone": "Europe/Berlin", "email": "x@evil.test", "role": "owner"})

    assert response.status_code == 200
    saved = stored(tenant_a, user)
    assert (saved.name, saved.time_zone, saved.email, saved.role) == ("Keep Me", "Europe/Berlin", user.email, "member")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": None}, "time_zone"),
        ({"name": "n" * 151}, "name"),
        ({"name": ["a", "list"]}, "name"),
        ({"name": {"an": "object"}}, "name"),
    ],
)
def test_me_patch_rejects_bad_input_and_changes_nothing(tenant_a: TenantInfo, body: object, field: str) -> None:
    user = create_user(tenant_a, name="Same")
    access = api_token(tenant_a, user.email)

    response = patch_me(tenant_a, access, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    saved = stored(tenant_a, user)
    assert (saved.name, saved.time_zone) == ("Same", "UTC")


def test_me_patch_needs_authentication(client_a: HttpClient) -> None:
    response = client_a.patch("/api/me/", {"name": "x"}, content_type="application/json")

    assert response.status_code == 401
