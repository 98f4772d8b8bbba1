"""Multipart bodies -> parts, without a server: chunked delivery, limits and malformed bodies."""

import asyncio

import pytest

from digitkit.errors import ImageError, LimitError
from digitkit.serve.contract.parts import Part, read_parts

BOUNDARY = "b0undary"


def body(*parts: tuple[str, str | None, bytes], close: bool = True) -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def parse(payload: bytes, max_parts: int = 10, chunk: int = 7, content_type: str | None = None) -> list[Part]:
    chunks = [payload[i : i + chunk] for i in range(0, len(payload), chunk)] or [b""]

    async def body_chunks():
        for data in [*chunks, b""]:
            yield data

    content_type = content_type or f"multipart/form-data; boundary={BOUNDARY}"
    return asyncio.run(read_parts(content_type, body_chunks(), max_parts, "curl -F x=@a.png"))


def test_parts_come_back_in_order_with_names_filenames_and_bytes():
    png = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n"
    parts = parse(body(("x", "a.png", png), ("note", None, b"hello"), ("x", "", b"\x00\x01")))
    assert [(p.name, p.filename, p.data) for p in parts] == [
        ("x", "a.png", png),
        ("note", None, b"hello"),
        ("x", "", b"\x00\x01"),
    ]


def test_one_part_beyond_the_limit_is_refused():
    assert len(parse(body(*[("x", "a.png", b"1")] * 3), max_parts=3)) == 3
    with pytest.raises(LimitError, match="more than 3 files"):
        parse(body(*[("x", "a.png", b"1")] * 4), max_parts=3)


@pytest.mark.parametrize(
    ("payload", "content_type", "message"),
    [
        (body(("x", "a.png", b"123"), close=False), None, "end of multipart stream"),
        (b"", None, "end of multipart stream"),
        (body(("x", "a.png", b"1")), "application/json", "expected a multipart/form-data body"),
        (body(("x", "a.png", b"1")), "multipart/form-data", "no boundary"),
        (f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\n1\r\n--{BOUNDARY}--".encode(), None, "Missing name"),
        (f"--{BOUNDARY}\r\nno colon here\r\n\r\n".encode(), None, "malformed"),
    ],
)
def test_malformed_bodies_are_image_errors(payload, content_type, message):
    with pytest.raises(ImageError, match=message):
        parse(payload, content_type=content_type)
