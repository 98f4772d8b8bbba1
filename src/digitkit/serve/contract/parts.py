"""The parts of a multipart/form-data body, read straight into memory by the ``multipart`` push parser.

Starlette's form parser (python-multipart) gives every file a SpooledTemporaryFile and parses headers byte
by byte; ``multipart``'s push parser reads the same body in a third of the time. The caller bounds the body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from digitkit.errors import ImageError, LimitError


class Part:
    def __init__(self, name: str, filename: str | None):
        self.name = name
        self.filename = filename  #: None for a text value
        self.chunks: list[bytes] = []

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


async def read_parts(content_type: str, body: AsyncIterator[bytes], max_parts: int, example: str) -> list[Part]:
    """Every part of a multipart/form-data ``body`` (chunks ending with b""), in order; a file part beyond
    ``max_parts`` (and as many text fields) is refused before it is read. ``example`` shows the client how to
    send a right one."""
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
            async for chunk in body:
                for event in parser.parse(chunk):  # the empty chunk at the end closes the parser
                    if isinstance(event, MultipartSegment):
                        kind = "files" if event.filename is not None else "text fields"
                        if sum((p.filename is None) == (event.filename is None) for p in parts) == max_parts:
                            raise LimitError(f"more than {max_parts} {kind} in one request; the limit is {max_parts}")
                        parts.append(Part(event.name, event.filename))
                    elif event:
                        parts[-1].chunks.append(event)
    except MultipartError as exc:
        raise ImageError(f"malformed multipart/form-data body: {exc}") from None
    return parts
