"""Delivery against a scripted HTTP server: retries, drops, Retry-After, batches."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lectern_client import sender as sender_module
from lectern_client.config import Config
from lectern_client.sender import Sender, retry_after_seconds
from lectern_client.spool import Spool


class Stub:
    """Answers each POST with the next scripted (status, headers, body), or with a
    function of the parsed body; records every request."""

    def __init__(self):
        self.script = []
        self.default = (201, {}, {"success": True})
        self.requests = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with stub.lock:
                    stub.requests.append((time.monotonic(), self.path, self.headers.get("Authorization"), body))
                    answer = stub.script.pop(0) if stub.script else stub.default
                if callable(answer):
                    answer = answer(body)
                status, headers, payload = answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def ids(self):
        """Event ids in the order they arrived (batches flattened)."""
        found = []
        for _, path, _, body in self.requests:
            found.extend(e["event_id"] for e in (body["events"] if path.endswith("/batch") else [body]))
        return found


@pytest.fixture
def stub():
    stub = Stub()
    yield stub
    stub.server.shutdown()


def make(stub_url, tmp_path, **overrides):
    config = Config(url=stub_url, token="tok", email="a@b.example", spool_dir=tmp_path,
                    retry_base_seconds=0.05, retry_max_seconds=0.2, http_timeout=2.0, **overrides)
    spool = Spool(config.spool_path)
    spool.ensure()
    return Sender(config, spool), spool


def event(n):
    return {"event_id": f"id-{n}", "email": "a@b.example", "code": f"cell {n}"}


def wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_single_event_is_sent_with_token_and_spool_emptied(stub, tmp_path):
    sender, spool = make(stub.url, tmp_path)
    sender.start()
    sender.submit(event(1))
    assert sender.flush(5)
    sender.stop()
    assert stub.requests[0][1:3] == ("/api/v1/events", "Bearer tok")
    assert stub.ids() == ["id-1"] and spool.files() == [] and sender.sent == 1


def test_server_errors_are_retried_with_backoff(stub, tmp_path):
    stub.script = [(503, {}, {}), (500, {}, {}), (401, {}, {"error": "invalid_token"})]
    sender, spool = make(stub.url, tmp_path)
    sender.start()
    sender.submit(event(1))
    assert sender.flush(10)
    sender.stop()
    assert stub.ids() == ["id-1"] * 4
    times = [r[0] for r in stub.requests]
    assert all(b - a >= 0.02 for a, b in zip(times, times[1:])), "it waited between tries"
    assert spool.files() == [] and sender.failures == 0


@pytest.mark.parametrize("status", [400, 413, 422])
def test_invalid_events_are_dropped(stub, tmp_path, status):
    stub.script = [(status, {}, {"error": "validation_error", "message": "bad"})]
    sender, spool = make(stub.url, tmp_path)
    sender.start()
    sender.submit(event(1))
    assert sender.flush(5)
    sender.submit(event(2))
    assert sender.flush(5)
    sender.stop()
    assert (sender.dropped, sender.sent, len(stub.requests)) == (1, 1, 2), "no retry of a refused event"
    assert spool.files() == []
    assert "validation_error: bad" in sender.last_error


def test_retry_after_is_honoured(stub, tmp_path):
    stub.script = [(429, {"Retry-After": "1"}, {"error": "rate_limited"})]
    sender, _ = make(stub.url, tmp_path)
    sender.start()
    sender.submit(event(1))
    assert sender.flush(5)
    sender.stop()
    (first, *_), (second, *_) = stub.requests
    assert second - first >= 0.95, "waited as the server asked, not the 0.2 s cap"


def test_retry_after_forms():
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({"Retry-After": "999999"}) == sender_module.MAX_RETRY_AFTER
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_unreachable_server_keeps_events_on_disk(tmp_path):
    sender, spool = make("http://127.0.0.1:9", tmp_path)  # nothing listens on port 9
    sender.start()
    for n in range(3):
        sender.submit(event(n))
    assert wait(lambda: sender.failures >= 2)
    assert not sender.flush(0.2)
    sender.stop()
    assert len(spool.files()) == 3 and "cannot reach" in sender.last_error


def test_backlog_from_disk_goes_in_one_batch_in_order(stub, tmp_path):
    _, spool = make(stub.url, tmp_path)
    for n in range(5):
        spool.write(event(n))
    sender, _ = make(stub.url, tmp_path)
    sender.start()
    assert sender.flush(5)
    sender.stop()
    assert [r[1] for r in stub.requests] == ["/api/v1/events/batch"]
    assert stub.ids() == [f"id-{n}" for n in range(5)]
    assert spool.files() == []


def test_partial_batch_drops_only_the_refused(stub, tmp_path):
    def partial(body):
        results = [{"index": i, "success": i != 1, "event_id": f"evt_{i}"} for i in range(len(body["events"]))]
        results[1] = {"index": 1, "success": False, "details": [{"field": "1.email", "code": "invalid_email"}]}
        return 207, {}, {"success": True, "results": results}

    stub.script = [partial]
    _, spool = make(stub.url, tmp_path)
    for n in range(3):
        spool.write(event(n))
    sender, _ = make(stub.url, tmp_path)
    sender.start()
    assert sender.flush(5)
    sender.stop()
    assert (sender.sent, sender.dropped, len(stub.requests)) == (2, 1, 1)
    assert spool.files() == []


def test_no_batch_endpoint_falls_back_to_single_posts(stub, tmp_path):
    stub.script = [(404, {}, {"error": "not_found"})]
    _, spool = make(stub.url, tmp_path)
    for n in range(3):
        spool.write(event(n))
    sender, _ = make(stub.url, tmp_path)
    sender.start()
    assert sender.flush(5)
    sender.stop()
    assert [r[1] for r in stub.requests] == ["/api/v1/events/batch"] + ["/api/v1/events"] * 3
    assert stub.ids()[3:] == ["id-0", "id-1", "id-2"]


def test_batch_refused_whole_is_retried_one_by_one(stub, tmp_path):
    stub.script = [(422, {}, {"error": "validation_error"}), (201, {}, {}), (422, {}, {}), (201, {}, {})]
    _, spool = make(stub.url, tmp_path)
    for n in range(3):
        spool.write(event(n))
    sender, _ = make(stub.url, tmp_path)
    sender.start()
    assert sender.flush(5)
    sender.stop()
    assert (sender.sent, sender.dropped) == (2, 1)


def test_full_queue_overflows_to_disk_without_loss(stub, tmp_path):
    sender, spool = make(stub.url, tmp_path, queue_size=2)
    for n in range(6):  # the thread is not running yet: the queue fills up
        sender.submit(event(n))
    assert sender.queue.qsize() == 2 and len(spool.files()) == 6
    sender.start()
    assert sender.flush(5)
    sender.stop()
    assert sorted(set(stub.ids())) == [f"id-{n}" for n in range(6)]
    assert spool.files() == []


def test_memory_only_when_spool_is_unusable(stub, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    config = Config(url=stub.url, token="t", email="a@b.example", spool_dir=blocker,
                    retry_base_seconds=0.05, retry_max_seconds=0.2)
    sender = Sender(config, Spool(config.spool_path))
    sender.start()
    sender.submit(event(1))
    assert sender.flush(5)
    sender.stop()
    assert stub.ids() == ["id-1"]
