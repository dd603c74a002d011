"""documents.validation's check_upload called on bytes in memory, as Django's upload handlers
hand it a small upload, under the product's default limits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.validation import Checked, UploadRejected, check_upload
from tests.support.files import MB

LIMITS = {"max_bytes": 25 * MB, "max_unpacked": 200 * MB, "max_ratio": 100}


def upload(content: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def check(content: bytes, name: str, **limits: int) -> Checked:
    return check_upload(upload(content, name), claimed_name=name, **{**LIMITS, **limits})


def refused(content: bytes, name: str, **limits: int) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check(content, name, **limits)
    return caught.value
