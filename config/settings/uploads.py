"""Uploaded files: documents and their text extraction, brand images."""

from __future__ import annotations

from config.settings.env import env

# ------------------------------------------------------------------------------
# Documents: uploads and text extraction
# ------------------------------------------------------------------------------
# Larger uploads get 413 (a plan may lower it later).
DOCUMENTS_MAX_UPLOAD_BYTES: int = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
# Office files are zip archives: more than this once unpacked, or packed tighter than the
# ratio, is refused as a zip bomb.
DOCUMENTS_MAX_UNPACKED_BYTES: int = env.int("DOCUMENTS_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
DOCUMENTS_MAX_PACKING_RATIO: int = env.int("DOCUMENTS_MAX_PACKING_RATIO", default=100)
# Uploads per person.
DOCUMENTS_UPLOAD_RATE: str = env("DOCUMENTS_UPLOAD_RATE", default="30/minute")
# A PDF with more pages fails with `too_many_pages`.
DOCUMENTS_MAX_PAGES: int = env.int("DOCUMENTS_MAX_PAGES", default=2000)
# One page may take this long to read; the whole document this long per page in all.
DOCUMENTS_PAGE_SECONDS: float = env.float("DOCUMENTS_PAGE_SECONDS", default=30.0)
# The address space an extracting worker process may use (a decompression bomb gets MemoryError).
DOCUMENTS_WORKER_MEMORY_BYTES: int = env.int("DOCUMENTS_WORKER_MEMORY_BYTES", default=2 * 1024 * 1024 * 1024)
# Pages per extraction task after the first (page 1 goes alone, so it is searchable at once).
DOCUMENTS_PAGES_PER_TASK: int = env.int("DOCUMENTS_PAGES_PER_TASK", default=8)
# Unfinished documents that have not moved for this long are resumed (a killed worker).
DOCUMENTS_STALL_SECONDS: int = env.int("DOCUMENTS_STALL_SECONDS", default=120)
# A document whose extraction was started this many times without finishing fails.
DOCUMENTS_MAX_ATTEMPTS: int = env.int("DOCUMENTS_MAX_ATTEMPTS", default=4)
# Scanned pages (no text, an image) are read by OCR with Tesseract (Debian's tesseract-ocr),
# within the same deadline per page and memory cap. Languages are Tesseract's codes joined by
# "+" (`eng+deu`), each needing its pack (tesseract-ocr-deu); a missing one fails the page with
# `ocr_unavailable`.
OCR_ENABLED: bool = env.bool("OCR_ENABLED", default=True)
OCR_LANGUAGES: str = env("OCR_LANGUAGES", default="eng")

# ------------------------------------------------------------------------------
# Brand studio
# ------------------------------------------------------------------------------
# The largest brand image accepted (each kind has its own, lower limit in branding.images).
BRAND_IMAGE_MAX_BYTES: int = env.int("BRAND_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
# Brand image uploads per person.
BRAND_IMAGE_UPLOAD_RATE: str = env("BRAND_IMAGE_UPLOAD_RATE", default="60/hour")
