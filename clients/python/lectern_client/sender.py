"""Delivery of events to the server from one background daemon thread.

The hooks hand events over with :meth:`Sender.submit`, which spools them and puts
them on a bounded queue without waiting. The thread sends them (one at a time, or
through the batch endpoint when there is a backlog), deletes each spool file after a
2xx, and backs off exponentially (capped, with jitter) while the server is away.
Events that the server refuses as invalid (400, 413, 422) are dropped, since sending
them again cannot help; everything else is kept and retried.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from .config import Config
from .spool import Spool

log = logging.getLogger(__name__)

USER_AGENT = "lectern-client/0.1 (IPython)"
# The server takes at most 1000 events and 1 MiB per request; stay well inside both.
BATCH_MAX_EVENTS = 500
BATCH_MAX_BYTES = 900 * 1024
# Refused as invalid: retrying cannot succeed.
DROP_STATUSES = {400, 413, 422}
# Server waits longer than this are not believed (a broken header must not stall
# delivery for days).
MAX_RETRY_AFTER = 3600.0
RECENT_IDS = 5000

Response = Tuple[int, Mapping[str, str], bytes]
Post = Callable[[str, str, bytes, float], Response]


def http_post(url: str, token: str, body: bytes, timeout: float) -> Response:
    """POSTs JSON with the class token; (status, headers, body) for any HTTP answer,
    an exception for no answer at all."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        try:
            data = error.read()
        except Exception:
            data = b""
        headers = dict(error.headers.items()) if error.headers else {}
        return error.code, headers, data


def retry_after_seconds(headers: Mapping[str, str]) -> Optional[float]:
    """``Retry-After`` as seconds (it may be a number or an HTTP date)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def encode(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class Item:
    seq: int
    event: dict
    path: Optional[Path]

    @property
    def event_id(self) -> str:
        return self.event["event_id"]


class Sender:
    """Owns the queue, the in-memory backlog and the delivery thread."""

    def __init__(self, config: Config, spool: Spool, post: Optional[Post] = None) -> None:
        self.config = config
        self.spool = spool
        self.queue: "queue.Queue[Optional[Item]]" = queue.Queue(maxsize=config.queue_size)
        self._post = post or http_post
        # Events in hand, by id; at most max_pending of them (the rest wait on disk).
        self._pending: "OrderedDict[str, Item]" = OrderedDict()
        self.max_pending = max(config.queue_size, 1)
        # Ids recently delivered or dropped, so a late copy is not posted again.
        self._done: "OrderedDict[str, None]" = OrderedDict()
        # True when the spool may hold events not in hand (start, queue overflow).
        self._rescan = True
        self._unsettled = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._batch_supported = True
        self._logged: set = set()
        self.failures = 0
        self.sent = 0
        self.dropped = 0
        self.last_error: Optional[str] = None
        self.last_sent_at: Optional[float] = None
        self.retry_at: Optional[float] = None

    # -- the hooks' side: never blocks on the network -------------------------------

    def submit(self, event: dict) -> None:
        """Spools ``event`` and queues it for the thread."""
        path = self.spool.write(event)
        item = Item(time.time_ns(), event, path)
        with self._lock:
            self._unsettled += 1
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            with self._lock:
                self._unsettled -= 1
            if path is not None:
                # It is safe on disk; the thread picks it up from there later.
                self._rescan = True
            else:
                self.dropped += 1
                self._note("queue_full", "the queue is full and the spool unusable; an event was lost")

    # -- control ---------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lectern-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        try:
            self.queue.put_nowait(None)  # wakes a thread waiting on the queue
        except queue.Full:
            pass
        if timeout and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def idle(self) -> bool:
        """Nothing queued, in hand, or known to be waiting in the spool."""
        return self._unsettled == 0 and not self._pending and not self._rescan

    def flush(self, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds for everything to be delivered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.02)
        return self.idle()

    def stats(self) -> Dict[str, object]:
        retry_in = None
        if self.retry_at is not None:
            retry_in = max(0.0, self.retry_at - time.time())
        return {
            "running": self.alive,
            "queued": self.queue.qsize(),
            "in_hand": len(self._pending),
            "spooled": len(self.spool.files()),
            "sent": self.sent,
            "dropped": self.dropped,
            "failures": self.failures,
            "last_error": self.last_error,
            "last_sent_at": self.last_sent_at,
            "retry_in": retry_in,
        }

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        if self.spool.ensure():
            self.spool.clean_temporary()
            self.spool.recount()
        while not self._stop.is_set():
            try:
                self._take(block=not self._pending and not self._rescan)
                if self._rescan and len(self._pending) < self.max_pending // 2 + 1:
                    self._load_spool()
                if not self._pending:
                    continue
                delay = self._send_round()
                if delay:
                    self.retry_at = time.time() + delay
                    self._stop.wait(delay)
                    self.retry_at = None
            except Exception as error:  # the thread must outlive any bug or surprise
                log.exception("lectern: sender error")
                self.last_error = f"internal error: {error!r}"
                self._stop.wait(1.0)

    def _take(self, block: bool) -> None:
        """Moves queued events into the backlog in hand."""
        try:
            item = self.queue.get(timeout=0.5) if block else self.queue.get_nowait()
        except queue.Empty:
            return
        while True:
            if item is not None:
                self._hold(item)
                with self._lock:
                    self._unsettled -= 1
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return

    def _hold(self, item: Item) -> None:
        event_id = item.event_id
        if event_id in self._done or event_id in self._pending:
            return
        if len(self._pending) >= self.max_pending:
            if item.path is not None:
                self._rescan = True  # it waits on disk
                return
            if len(self._pending) >= 2 * self.max_pending:
                # No disk and no server: the kernel's memory comes first.
                self.dropped += 1
                self._note("memory_full", "no spool and no server: events are being lost")
                return
        self._pending[event_id] = item

    def _load_spool(self) -> None:
        """Takes spooled events (from earlier runs, or that did not fit the queue)."""
        self._rescan = False
        for path in self.spool.files():
            if len(self._pending) >= self.max_pending:
                self._rescan = True
                return
            stem = path.name[: -len(".json")]
            seq_text, _, event_id = stem.partition("-")
            if event_id in self._pending or event_id in self._done:
                continue
            event = self.spool.read(path)
            if event is None:
                continue
            try:
                seq = int(seq_text)
            except ValueError:
                seq = 0
            self._pending[event["event_id"]] = Item(seq, event, path)

    def _send_round(self) -> float:
        """Sends some of the backlog; the seconds to wait before the next round."""
        items = sorted(self._pending.values(), key=lambda item: item.seq)
        if len(items) > 1 and self._batch_supported:
            return self._send_batch(items)
        return self._send_one(items[0])

    def _send_one(self, item: Item) -> float:
        try:
            status, headers, body = self._post(
                self.config.endpoint, self.config.token, encode(item.event), self.config.http_timeout
            )
        except Exception as error:
            return self._failed(f"cannot reach {self.config.url}: {error}")
        if 200 <= status < 300:
            self._settle(item, delivered=True)
            self._succeeded()
            return 0.0
        if status in DROP_STATUSES:
            self._settle(item, delivered=False)
            self._note(f"drop{status}", f"the server refused an event ({status}: {_summary(body)}); it was dropped")
            self._succeeded()
            return 0.0
        return self._failed(f"server answered {status}: {_summary(body)}", headers if status in (429, 503) else None)

    def _send_batch(self, items: List[Item]) -> float:
        chosen: List[Item] = []
        parts: List[bytes] = []
        size = len(b'{"events":[]}')
        for item in items[:BATCH_MAX_EVENTS]:
            data = encode(item.event)
            if chosen and size + len(data) + 1 > BATCH_MAX_BYTES:
                break
            chosen.append(item)
            parts.append(data)
            size += len(data) + 1
        body = b'{"events":[' + b",".join(parts) + b"]}"
        try:
            status, headers, answer = self._post(
                self.config.batch_endpoint, self.config.token, body, self.config.http_timeout
            )
        except Exception as error:
            return self._failed(f"cannot reach {self.config.url}: {error}")
        if status == 207:
            return self._partial(chosen, answer)
        if 200 <= status < 300:
            for item in chosen:
                self._settle(item, delivered=True)
            self._succeeded()
            return 0.0
        if status in (404, 405):
            # A server without the batch endpoint: post one at a time from now on.
            self._batch_supported = False
            return 0.0
        if status in DROP_STATUSES:
            # Something in the batch is bad: one at a time, each gets its own verdict.
            for item in chosen:
                delay = self._send_one(item)
                if delay:
                    return delay
            return 0.0
        return self._failed(f"server answered {status}: {_summary(answer)}", headers if status in (429, 503) else None)

    def _partial(self, chosen: List[Item], answer: bytes) -> float:
        """A 207: the valid events were stored, the others were refused."""
        try:
            results = json.loads(answer.decode("utf-8"))["results"]
        except Exception:
            results = []
        settled = 0
        for result in results:
            try:
                item = chosen[int(result["index"])]
            except (KeyError, IndexError, TypeError, ValueError):
                continue
            if result.get("success"):
                self._settle(item, delivered=True)
            else:
                self._settle(item, delivered=False)
                self._note("drop207", f"the server refused an event: {json.dumps(result.get('details'))[:300]}")
            settled += 1
        if not settled:
            # An answer we cannot read: keep everything, and do not hammer the server.
            return self._failed("unreadable 207 answer")
        self._succeeded()
        return 0.0

    def _settle(self, item: Item, delivered: bool) -> None:
        self._pending.pop(item.event_id, None)
        self._done[item.event_id] = None
        while len(self._done) > RECENT_IDS:
            self._done.popitem(last=False)
        self.spool.delete(item.path)
        if delivered:
            self.sent += 1
            self.last_sent_at = time.time()
        else:
            self.dropped += 1

    def _succeeded(self) -> None:
        self.failures = 0
        if self.last_error and self.last_error.startswith(("cannot reach", "server answered", "unreadable")):
            self.last_error = None

    def _failed(self, message: str, headers: Optional[Mapping[str, str]] = None) -> float:
        self.failures += 1
        self.last_error = message
        self._note(message.split(":")[0], f"lectern: {message}; retrying", level=logging.INFO)
        ceiling = min(
            self.config.retry_max_seconds,
            self.config.retry_base_seconds * (2 ** min(self.failures - 1, 30)),
        )
        # Jitter spreads a classroom of kernels reconnecting to a restarted server.
        delay = ceiling * random.uniform(0.5, 1.0)
        if headers is not None:
            # 429, or 503 from a server that knows when it will be back.
            wait = retry_after_seconds(headers)
            if wait is not None:
                delay = max(delay, wait)
        return max(delay, 0.01)

    def _note(self, key: str, message: str, level: int = logging.WARNING) -> None:
        """Logs a kind of problem once, so a long outage does not flood the log."""
        if level >= logging.WARNING:
            self.last_error = message
        if key in self._logged:
            return
        self._logged.add(key)
        log.log(level, message)


def _summary(body: bytes) -> str:
    """The server's error code and details (``{"error": code, "message", "details"}``)."""
    try:
        data = json.loads(body.decode("utf-8"))
        if isinstance(data, dict) and data.get("error"):
            text = f"{data['error']}: {data.get('message', '')}"
            if data.get("details"):
                text += " " + json.dumps(data["details"], ensure_ascii=False)
            return text[:300]
    except Exception:
        pass
    return body[:200].decode("utf-8", "replace")
