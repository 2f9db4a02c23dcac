"""Copying what a cell prints, without taking it away from the student.

The stream's ``write`` is wrapped on the instance (as IPython 9 does for its own
history) rather than ``sys.stdout`` being replaced: ipykernel and libraries check the
type of ``sys.stdout``, and code that kept a reference to the stream (a logging
handler) is then captured too. Streams that refuse the attribute are wrapped instead.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, List, Optional

# The server keeps at most this much code or output per event.
MAX_TEXT_BYTES = 64 * 1024


def clean(text: str) -> str:
    """``text`` as valid UTF-8 (lone surrogates from odd decodings become ``?``)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def cap(text: str, what: str = "output", cut_before: bool = False) -> str:
    """``text`` cut to :data:`MAX_TEXT_BYTES` of UTF-8 at a character boundary
    (``cut_before``: it was already cut while being captured).

    A cut text gets a short note after the limit: the request stays far below the
    server's 1 MiB, and the server, seeing more than 64 KiB, stores the first
    64 KiB flagged as truncated, which it could not know otherwise.
    """
    text = clean(text)
    data = text.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES and not cut_before:
        return text
    kept = data[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    return f"{kept}\n… [lectern: {what} cut at 64 KiB]"


class Capture:
    """Text written to the cell's streams, up to a limit (the rest is only counted,
    so a cell printing gigabytes costs no memory)."""

    def __init__(self, limit: int = MAX_TEXT_BYTES + 1) -> None:
        self.limit = limit
        self.parts: List[str] = []
        self.size = 0
        self.total = 0

    @property
    def overflowed(self) -> bool:
        return self.total > self.size

    def add(self, data: Any) -> None:
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        elif not isinstance(data, str):
            data = str(data)
        self.total += len(data)
        room = self.limit - self.size
        if room > 0 and data:
            piece = data[:room]
            self.parts.append(piece)
            self.size += len(piece)

    def text(self) -> str:
        return "".join(self.parts)


class _Wrapper:
    """Stands in for a stream whose ``write`` cannot be replaced."""

    def __init__(self, stream: Any, write: Callable[..., Any]) -> None:
        self.__dict__["_lectern_stream"] = stream
        self.__dict__["write"] = write

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_lectern_stream"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__dict__["_lectern_stream"], name, value)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)


class StreamTee:
    """Copies one of ``sys.stdout``/``sys.stderr`` into a :class:`Capture`."""

    def __init__(self, name: str, capture: Capture, skip: Callable[[], bool]) -> None:
        self.name = name
        self.capture = capture
        self.skip = skip
        self.stream: Any = None
        self.wrapper: Optional[_Wrapper] = None
        self.had_own_write = False
        self.own_write: Any = None
        self.write: Optional[Callable[..., Any]] = None

    def start(self) -> None:
        stream = getattr(sys, self.name)
        if stream is None:
            return
        original = stream.write
        capture, skip = self.capture, self.skip

        def write(data: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(data, *args, **kwargs)
            try:
                # Tracebacks and the Out[] repr are reported on their own.
                if not skip():
                    capture.add(data)
            except Exception:
                pass
            return result

        self.stream = stream
        self.write = write
        attributes = getattr(stream, "__dict__", None)
        self.had_own_write = attributes is not None and "write" in attributes
        self.own_write = attributes.get("write") if self.had_own_write else None
        try:
            stream.write = write
        except (AttributeError, TypeError):
            self.wrapper = _Wrapper(stream, write)
            setattr(sys, self.name, self.wrapper)

    def stop(self) -> None:
        """Undoes :meth:`start`, unless the cell has since put something else in
        place (then that is left alone: it is the student's)."""
        stream, self.stream = self.stream, None
        if stream is None:
            return
        if self.wrapper is not None:
            if getattr(sys, self.name) is self.wrapper:
                setattr(sys, self.name, stream)
            self.wrapper = None
            return
        if getattr(stream, "__dict__", {}).get("write") is not self.write:
            return
        try:
            if self.had_own_write:
                stream.write = self.own_write
            else:
                del stream.write
        except (AttributeError, TypeError):
            pass
