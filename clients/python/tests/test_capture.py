"""Copying stream output, and capping text at 64 KiB."""

import io
import sys

from lectern_client.capture import MAX_TEXT_BYTES, Capture, StreamTee, cap, clean


def test_tee_copies_and_still_writes(monkeypatch):
    target = io.StringIO()
    monkeypatch.setattr(sys, "stdout", target)
    capture = Capture()
    tee = StreamTee("stdout", capture, lambda: False)
    tee.start()
    print("hello")
    sys.stdout.write("x")
    tee.stop()
    print("after")
    assert target.getvalue() == "hello\nxafter\n"
    assert capture.text() == "hello\nx"
    assert "write" not in vars(target), "the stream is as it was"


def test_tee_leaves_a_stream_the_cell_replaced(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    tee = StreamTee("stdout", Capture(), lambda: False)
    tee.start()
    mine = io.StringIO()
    sys.stdout = mine
    tee.stop()
    assert sys.stdout is mine


class Locked:
    """A stream whose write cannot be replaced."""

    __slots__ = ("data",)

    def __init__(self):
        self.data = []

    def write(self, text):
        self.data.append(text)
        return len(text)

    def flush(self):
        pass


def test_tee_wraps_streams_that_refuse_patching(monkeypatch):
    stream = Locked()
    monkeypatch.setattr(sys, "stdout", stream)
    capture = Capture()
    tee = StreamTee("stdout", capture, lambda: False)
    tee.start()
    assert sys.stdout is not stream
    print("hi")
    sys.stdout.flush()
    tee.stop()
    assert sys.stdout is stream
    assert "".join(stream.data) == "hi\n" and capture.text() == "hi\n"


def test_skip_and_limit():
    capture = Capture(limit=5)
    capture.add("abc")
    capture.add(b"defgh")
    assert capture.text() == "abcde" and capture.total == 8 and capture.overflowed


def test_cap():
    assert cap("short") == "short"
    text = "가" * MAX_TEXT_BYTES
    cut = cap(text)
    kept = cut.split("\n… [lectern")[0]
    assert len(kept.encode()) <= MAX_TEXT_BYTES and len(kept.encode()) > MAX_TEXT_BYTES - 3
    assert len(cut.encode()) > MAX_TEXT_BYTES, "over the limit, so the server flags it"
    assert cap("abc", cut_before=True).startswith("abc\n… [lectern")
    assert clean("a\udcff") == "a?"
