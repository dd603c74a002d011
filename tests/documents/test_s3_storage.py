"""Documents on S3, as production stores them: moto's S3 server over HTTP stands in for S3, and
the storage is configured the way config/settings/production.py configures it.

What must hold: an uploaded file becomes a private object under `tenants/<schema>/documents/`,
it comes back byte for byte only through the download view, nobody of another tenant reaches it
by id or by its key, and no answer ever carries a public or presigned URL.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings
from django_tenants.utils import schema_context
from storages.backends.s3 import S3Storage

from documents.models import Document
from tests.support.chat_api import Person, person
from tests.support.documents import request, upload
from tests.support.files import ELF_BYTES, PDF_BYTES
from tests.support.people_api import assert_error
from tests.support.servers import free_port
from tests.support.tenants import TenantInfo, host_client, login

pytestmark = pytest.mark.django_db

REGION = "us-east-1"
KEY_ID = "test-key-id"
SECRET = "test-secret"  # moto accepts any credentials
# Enough bytes that S3Storage reads the object in several pieces.
LARGE_PDF = PDF_BYTES + bytes(range(256)) * 12_000


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server in a process of its own: a real HTTP endpoint, no patched clients."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    name: str
    client: Any

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def body(self, key: str) -> bytes:
        data: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return data

    def public_grants(self, key: str) -> list[dict[str, Any]]:
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return [grant for grant in grants if grant["Grantee"].get("Type") == "Group"]

    def anonymous_get(self, key: str) -> int:
        """The status of a plain GET of the object's address, without credentials."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{self.name}/{quote(key)}", timeout=10) as answer:  # noqa: S310
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return refused.code


def s3_storages(endpoint: str, bucket: str) -> dict[str, dict[str, Any]]:
    """config/settings/production.py's default storage, pointed at moto."""
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": REGION,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "access_key": KEY_ID,
                "secret_key": SECRET,
            },
        },
    }


def new_bucket(endpoint: str, name: str) -> Any:
    """Create bucket `name`; a client of the server, with the credentials the storage uses."""
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )
    client.create_bucket(Bucket=name)
    return client


@pytest.fixture
def bucket(s3_endpoint: str) -> Iterator[Bucket]:
    """A new, empty bucket, and the default storage on it for the test."""
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = new_bucket(s3_endpoint, name)
    with override_settings(STORAGES=s3_storages(s3_endpoint, name)):
        yield Bucket(endpoint=s3_endpoint, name=name, client=client)


def uploaded(who: Person, content: bytes, name: str) -> dict[str, Any]:
    response = upload(who, content, name)
    assert response.status_code == 201, response.content[:500]
    body: dict[str, Any] = response.json()
    return body


def stored_key(tenant: TenantInfo, document_id: int) -> str:
    with schema_context(tenant.schema):
        return str(Document.objects.get(pk=document_id).file.name)


def downloaded(who: Person, path: str) -> Any:
    return request(who, "get", path)


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


# ---------------------------------------------------------------------------------------------
# The storage setting reaches the model field
# ---------------------------------------------------------------------------------------------


def test_default_storage_and_the_document_field_follow_the_storages_setting(s3_endpoint: str) -> None:
    field = Document._meta.get_field("file")
    assert isinstance(default_storage, FileSystemStorage)
    assert isinstance(field.storage, FileSystemStorage)
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = new_bucket(s3_endpoint, name)

    with override_settings(STORAGES=s3_storages(s3_endpoint, name)):
        assert isinstance(default_storage, S3Storage)
        assert isinstance(field.storage, S3Storage)
        saved = field.storage.save("tenants/probe/documents/x/probe.txt", ContentFile(b"probe"))

    listed = client.list_objects_v2(Bucket=name)["Contents"]
    assert [item["Key"] for item in listed] == [saved]
    # And back: nothing keeps the S3 storage once the setting is restored.
    assert isinstance(field.storage, FileSystemStorage)


# ---------------------------------------------------------------------------------------------
# Upload, download, delete
# ---------------------------------------------------------------------------------------------


def test_upload_through_the_api_stores_a_private_object_under_the_tenant_prefix(
    tenant_a: TenantInfo, bucket: Bucket
) -> None:
    ann = person(tenant_a)

    document = uploaded(ann, LARGE_PDF, "../../Quarterly 報告 🎉.pdf")

    key = stored_key(tenant_a, document["id"])
    assert bucket.keys() == [key]
    assert key.startswith(f"tenants/{tenant_a.schema}/documents/")
    assert ".." not in key.split("/")
    assert bucket.body(key) == LARGE_PDF
    assert document["name"] == "Quarterly 報告 🎉.pdf"
    # Private: only the owner's grant, and a request without credentials is refused.
    assert bucket.public_grants(key) == []
    assert bucket.anonymous_get(key) == 403


def test_anonymous_get_is_refused_only_because_the_object_is_private(bucket: Bucket) -> None:
    """The probe above can fail: the same server serves a public object to anyone."""
    bucket.client.put_object(Bucket=bucket.name, Key="probe/public.txt", Body=b"open", ACL="public-read")

    assert bucket.anonymous_get("probe/public.txt") == 200


def test_download_streams_the_object_back_identically(tenant_a: TenantInfo, bucket: Bucket) -> None:
    ann = person(tenant_a)
    document = uploaded(ann, LARGE_PDF, "Résumé.pdf")

    response = downloaded(ann, document["download_url"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == LARGE_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "R%C3%A9sum%C3%A9.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "Location" not in response


def test_delete_removes_the_object(
    tenant_a: TenantInfo, bucket: Bucket, django_capture_on_commit_callbacks: Any
) -> None:
    ann = person(tenant_a)
    document = uploaded(ann, PDF_BYTES, "gone.pdf")
    assert len(bucket.keys()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = request(ann, "delete", f"/api/documents/{document['id']}/")

    assert response.status_code == 204
    assert bucket.keys() == []
    assert downloaded(ann, document["download_url"]).status_code == 404


def test_refused_upload_leaves_no_object(tenant_a: TenantInfo, bucket: Bucket) -> None:
    ann = person(tenant_a)

    response = upload(ann, ELF_BYTES, "invoice.pdf")

    assert_error(response, 415, "type_mismatch")
    assert bucket.keys() == []


# ---------------------------------------------------------------------------------------------
# Another tenant, and guessed addresses
# ---------------------------------------------------------------------------------------------


def test_other_tenant_cannot_reach_the_document_by_id(
    tenant_a: TenantInfo, tenant_b: TenantInfo, bucket: Bucket
) -> None:
    ann = person(tenant_a)
    document = uploaded(ann, LARGE_PDF, "secret.pdf")
    carol = person(tenant_b)

    for path in (
        f"/api/documents/{document['id']}/",
        f"/api/documents/{document['id']}/download/",
        f"/api/documents/{document['id']}/text/",
    ):
        response = downloaded(carol, path)
        assert response.status_code == 404, path
        assert LARGE_PDF[:200] not in body_of(response)
    assert_error(request(carol, "delete", f"/api/documents/{document['id']}/"), 404)
    assert bucket.keys() == [stored_key(tenant_a, document["id"])]


def test_no_address_serves_the_object_by_its_key(tenant_a: TenantInfo, tenant_b: TenantInfo, bucket: Bucket) -> None:
    """Not the key under the media URL, not the key where an id belongs, on either tenant's host,
    even for the person who uploaded it."""
    ann = person(tenant_a)
    document = uploaded(ann, LARGE_PDF, "secret.pdf")
    key = stored_key(tenant_a, document["id"])
    carol = person(tenant_b)
    guesses = [
        f"/{key}",
        f"{settings.MEDIA_URL.rstrip('/')}/{key}",
        f"/media/{key}",
        f"/api/documents/{key}/download/",
        f"/api/documents/{key}",
        f"/documents/{key}",
        f"/api/documents/download/?key={key}",
    ]

    for who in (carol, ann):
        for path in [*guesses, *(quote(guess) for guess in guesses)]:
            response = downloaded(who, path)
            assert LARGE_PDF[:200] not in body_of(response), path
            assert response.status_code in (301, 302, 404), path
            assert bucket.endpoint not in response.get("Location", ""), path
    # The key added to the real address changes nothing for someone who may not read it.
    assert downloaded(carol, f"/api/documents/{document['id']}/download/?key={key}").status_code == 404


def test_no_answer_carries_a_storage_or_presigned_url(tenant_a: TenantInfo, bucket: Bucket) -> None:
    ann = person(tenant_a)
    document = uploaded(ann, PDF_BYTES, "plan.pdf")
    key = stored_key(tenant_a, document["id"])
    browser = host_client(tenant_a.host)
    login(browser, ann.user.email)

    answers = [
        json.dumps(document),
        json.dumps(downloaded(ann, f"/api/documents/{document['id']}/").json()),
        json.dumps(downloaded(ann, "/api/documents/").json()),
        browser.get("/documents/").content.decode(),
        browser.get(f"/documents/{document['id']}/").content.decode(),
    ]

    for answer in answers:
        for leak in (bucket.endpoint, "127.0.0.1", bucket.name, key, "X-Amz-", "Signature=", "AWSAccessKeyId"):
            assert leak not in answer
    assert document["download_url"] == f"/api/documents/{document['id']}/download/"
