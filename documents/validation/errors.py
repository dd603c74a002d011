"""How an upload is refused, in words fit for the person who sent it."""

from __future__ import annotations


class UploadRejected(Exception):
    """An upload that is refused before anything is stored. `detail` is for people; `status` and
    `code` are the API's (413 too large, 415 not a type we take, 400 nothing to take)."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"
