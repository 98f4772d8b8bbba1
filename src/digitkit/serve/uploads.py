"""The parts of a multipart/form-data body, read straight into memory by the ``multipart`` push parser.

Starlette's form parser (python-multipart) gives every file a SpooledTemporaryFile and an UploadFile and
parses headers byte by byte: for 64 small PNGs that took as long as decoding them. ``multipart``'s push
parser reads the same body in a third of the time (benchmarks/serve_load.py). The parts stay ``bytes``; the
body-size middleware (serve/limits.py) bounds their total size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header
from starlette.requests import Request

from digitkit.errors import ImageError, LimitError


@dataclass
class Part:
    name: str
    filename: str | None  #: None for a text value
    chunks: list[bytes] = field(default_factory=list)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


async def read_parts(request: Request, max_parts: int, example: str) -> list[Part]:
    """Every part of the request's multipart/form-data body, in order; a part beyond ``max_parts`` is refused
    before it is read. ``example`` shows the client how to send a right one."""
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    if kind != "multipart/form-data":
        raise ImageError(
            f"expected a multipart/form-data body, got {content_type or 'no content type'} instead ({example})"
        )
    if not options.get("boundary"):
        raise ImageError(f"the multipart/form-data content type names no boundary ({example})")
    parts: list[Part] = []
    try:
        with PushMultipartParser(options["boundary"], strict=True) as parser:  # leaving checks it is complete
            async for chunk in request.stream():
                for event in parser.parse(chunk):  # an empty chunk (the end of the body) closes the parser
                    if isinstance(event, MultipartSegment):
                        if len(parts) == max_parts:
                            raise LimitError(f"more than {max_parts} parts in one request; the limit is {max_parts}")
                        parts.append(Part(event.name, event.filename))
                    elif event:
                        parts[-1].chunks.append(event)
    except MultipartError as exc:
        raise ImageError(f"malformed multipart/form-data body: {exc}") from None
    return parts
