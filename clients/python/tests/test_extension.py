"""The hooks in an in-process IPython shell, with the sender replaced by a list."""

import pytest
from IPython.testing import globalipapp

import lectern_client
from lectern_client import extension


class Recorder:
    """Stands in for the Sender: keeps what the hooks submit."""

    def __init__(self, config, spool):
        self.events = []
        self.failures = 0
        self.last_sent_at = None

    def submit(self, event):
        self.events.append(event)

    def start(self):
        pass

    def stop(self, timeout=0):
        pass

    def flush(self, timeout):
        return True

    def stats(self):
        return {"queued": 0}


@pytest.fixture
def shell(monkeypatch, tmp_path):
    for key in ("JPY_SESSION_NAME", "LECTERN_TEAM", "LECTERN_DISABLE", "LECTERN_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LECTERN_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LECTERN_TOKEN", "tok")
    monkeypatch.setenv("LECTERN_EMAIL", "mina@example.edu")
    monkeypatch.setenv("LECTERN_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(extension, "Sender", Recorder)
    ip = globalipapp.start_ipython() or globalipapp.get_ipython()  # returns None after the first call
    lectern_client.load_ipython_extension(ip)
    yield ip
    lectern_client.unload_ipython_extension(ip)


def events():
    return extension._client.sender.events


def test_event_fields(shell):
    shell.run_cell("value = [1, 2]\nprint('hi')\nvalue", store_history=True)
    (event,) = events()
    assert event["output"] == "hi\n[1, 2]"
    assert event["status"] == "success" and event["error_type"] is None
    assert event["cell_id"].startswith("code-") and event["notebook_path"] == "unknown"
    assert event["email"] == "mina@example.edu" and "team_name" not in event
    assert event["execution_time"] >= 0 and event["timestamp"].endswith("+00:00")


def test_cell_id_from_front_end_and_syntax_errors(shell):
    shell.run_cell("1 +", cell_id="c-1")
    (event,) = events()
    assert (event["cell_id"], event["status"], event["error_type"]) == ("c-1", "error", "SyntaxError")


def test_empty_and_nested_cells(shell):
    shell.run_cell("   ")
    assert events() == [], "no event for an empty cell"
    shell.run_cell("get_ipython().run_cell('print(\"inner\")')\nprint('outer')")
    inner, outer = events()
    assert inner["output"] == "inner\n"
    assert outer["output"] == "inner\nouter\n"


def test_a_failing_hook_never_breaks_the_cell(shell, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(extension._client, "build_event", broken)
    result = shell.run_cell("40 + 2")
    assert result.success and result.result == 42
    assert events() == []


def test_huge_results_are_abbreviated(shell):
    shell.run_cell("list(range(1_000_000))")
    (event,) = events()
    assert len(event["output"]) < 10_000 and event["output"].endswith("...]")


def test_reload_keeps_one_set_of_hooks(shell):
    shell.run_line_magic("reload_ext", "lectern_client")
    client = extension._client
    shell.run_cell("1")
    assert len(client.sender.events) == 1
    hooks = [f for f in shell.events.callbacks["post_run_cell"] if getattr(f, "__self__", None) is not None
             and isinstance(f.__self__, extension.Client)]
    assert hooks == [client.post_run_cell]
