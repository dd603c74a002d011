"""The one refusal of a brand image, raster or SVG."""

from __future__ import annotations


class ImageRejected(ValueError):
    """A brand image that is refused. `message` is a sentence for people; `code` is the API's."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
