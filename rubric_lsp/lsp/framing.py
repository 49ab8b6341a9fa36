"""Split a byte stream into LSP messages, surviving malformed headers and wrong lengths.

pygls's reader only knows ``Content-Length: N\\r\\n`` exactly; a lower-case header, a
``\\n`` line end or a length that is not a number leaves it waiting forever. Here header
names are matched without case, lines may end in ``\\n`` alone, unknown headers are
ignored, and a header block without a usable length is dropped: reading starts again
at the next ``Content-Length`` header, even one glued to the rest of a body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LENGTH_HEADER = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
# A header line longer than this is not a header: the stream is resynchronised instead
# of buffering without end.
MAX_HEADER_LINE = 64 * 1024
# A body this large is refused rather than held in memory.
MAX_BODY = 512 * 1024 * 1024


@dataclass(frozen=True)
class Malformed:
    """Bytes that were not a message, and why."""

    reason: str


Frame = bytes | Malformed


class Framer:
    """Turns chunks of a stream into message bodies (or notes of what was dropped)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._length: int | None = None  # the body's length, once the headers are read
        self._header_length: int | None = None
        self._header_problem: str | None = None
        self._in_headers = False

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by ``data``, in order."""
        self._buffer += data
        frames: list[Frame] = []
        while True:
            if self._length is not None:
                if len(self._buffer) < self._length:
                    return frames
                frames.append(bytes(self._buffer[: self._length]))
                del self._buffer[: self._length]
                self._length = None
                continue
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_LINE:
                    frames.append(Malformed(f"{len(self._buffer)} bytes without a line end"))
                    self._restart_headers()
                    self._buffer.clear()
                return frames
            line = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[: end + 1]
            self._header_line(line, frames)

    def _restart_headers(self) -> None:
        self._header_length = None
        self._header_problem = None
        self._in_headers = False

    def _header_line(self, line: bytes, frames: list[Frame]) -> None:
        if not line:
            if not self._in_headers:
                return  # blank lines between messages
            if self._header_length is not None and self._header_problem is None:
                self._length = self._header_length
            else:
                frames.append(Malformed(self._header_problem or "no Content-Length header"))
            self._restart_headers()
            return
        found = _LENGTH_HEADER.search(line)
        if found is not None and found.start() > 0:
            # The rest of a body whose length was wrong, then the next message's header.
            frames.append(Malformed(f"{found.start()} bytes outside any message"))
            self._restart_headers()
            line = line[found.start() :]
        name, colon, value = line.partition(b":")
        if not colon:
            if self._in_headers:
                self._header_problem = "a header line without a colon"
            else:
                frames.append(Malformed(f"{len(line)} bytes outside any message"))
            return
        self._in_headers = True
        if name.strip().lower() != b"content-length":
            return  # Content-Type and unknown headers change nothing
        text = value.strip()
        if not text.isdigit() or int(text) > MAX_BODY:
            self._header_problem = f"Content-Length {text[:40]!r} is not a usable length"
            return
        self._header_length = int(text)
