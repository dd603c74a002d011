"""Deciding whether an upload may be stored, before anything is stored: `check_upload` (and the
plan's largest file, `check_plan_size`), by content type (`content`), name (`names`) and, for
Office archives, their central directory (`archives`)."""

from documents.validation.errors import UploadRejected as UploadRejected
from documents.validation.upload import Checked as Checked
from documents.validation.upload import check_plan_size as check_plan_size
from documents.validation.upload import check_upload as check_upload
