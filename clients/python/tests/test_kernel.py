"""End to end: real ipykernels running real cells, posting to a real Lectern server;
what arrived is read from the server's SQLite file."""

import socket
import statistics
import time
from datetime import datetime
from pathlib import Path

import pytest

from conftest import EMAIL, client_env, free_port, kernel_env, wait_for

NOTEBOOK = "lesson1/intro.ipynb"


def auto_load(tmp_path: Path) -> None:
    """The documented set-up: the extension in the IPython profile's config."""
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_config.py").write_text('c.InteractiveShellApp.extensions = ["lectern_client"]\n')


def test_cells_arrive_with_code_output_errors_and_timing(server, kernels, tmp_path):
    auto_load(tmp_path)
    kernel = kernels(client_env(server.url, server.token, tmp_path, JPY_SESSION_NAME=NOTEBOOK, LECTERN_TEAM="A"))

    hello = kernel.run('print("hello from lectern")\n6 * 7', cell_id="cell-a")
    assert hello.stdout == "hello from lectern\n", "the student still sees the output"
    assert hello.result == "42" and hello.stderr == ""
    sleep = kernel.run("import time\ntime.sleep(0.2)", cell_id="cell-b")
    plain = kernel.run("x = 1")
    name_error = kernel.run("undefined_name", cell_id="cell-c")
    assert name_error.error["ename"] == "NameError"
    zero = kernel.run("1 / 0", cell_id="cell-d")
    assert zero.error["ename"] == "ZeroDivisionError"

    assert server.wait_count(5) == 5
    rows = {row["cell_id"]: row for row in server.events()}
    a, b, c, d = (rows[f"cell-{k}"] for k in "abcd")
    assert a["code"] == 'print("hello from lectern")\n6 * 7'
    assert a["output"] == "hello from lectern\n42"
    assert a["execution_count"] == hello.execution_count
    assert (a["failed"], a["error_type"], a["truncated"], a["kind"], a["cell_type"]) == (0, None, 0, "cell_executed", "code")
    assert a["notebook_path"] == NOTEBOOK
    assert 200 <= b["execution_ms"] < 5000, "the cell's own time, measured around it"
    assert b["execution_count"] == sleep.execution_count
    assert a["execution_ms"] < b["execution_ms"]
    (plain_row,) = [row for row in rows.values() if row["code"] == "x = 1"]
    assert plain_row["cell_id"].startswith("code-"), "no cell id from the front end: a hash of the code"
    assert plain_row["execution_count"] == plain.execution_count
    assert (c["failed"], c["error_type"], c["error_message"]) == (1, "NameError", "name 'undefined_name' is not defined")
    assert (d["failed"], d["error_type"], d["error_message"]) == (1, "ZeroDivisionError", "division by zero")
    assert d["execution_count"] == zero.execution_count
    for row in rows.values():
        assert datetime.fromisoformat(row["occurred_at"].replace("Z", "+00:00")).tzinfo is not None
        assert len(row["event_key"]) == 36

    (student,) = server.rows("SELECT * FROM classroom_students")
    assert (student["email"], student["name"], student["team"]) == (EMAIL, "Mina Park", "A")
    assert (student["executions"], student["errors"], student["error_streak"]) == (5, 2, 2)
    assert student["current_notebook"] == NOTEBOOK
    assert student["last_error"] == f"ZeroDivisionError in {NOTEBOOK} cell cell-d"

    shown = kernel.run("%lectern_status")
    assert f"sending to {server.url}" in shown.stdout and "5 delivered" in shown.stdout
    assert "0 spooled" in shown.stdout
    kernel.run("y = 2")
    assert server.wait_count(6) == 6
    assert server.events()[-1]["code"] == "y = 2", "the status cell is not the student's work"


def test_large_output_is_cut_and_flagged_and_vscode_path_is_used(server, kernels, tmp_path):
    kernel = kernels(client_env(server.url, server.token, tmp_path))
    kernel.run("%load_ext lectern_client")
    kernel.run("a = 1", cell_id="before")
    # VS Code names the notebook in the kernel's namespace, not in the environment.
    kernel.evaluate("get_ipython().user_ns.__setitem__('__vsc_ipynb_file__', '/home/mina/vsc.ipynb')")
    big = kernel.run('print("x" * 60_000)\nprint("가" * 40_000)', cell_id="big")
    assert len(big.stdout) == 60_000 + 40_000 + 2, "the student sees all of it"

    assert server.wait_count(2) == 2
    before, row = server.events()
    assert before["notebook_path"] == "unknown"
    assert row["notebook_path"] == "/home/mina/vsc.ipynb"
    assert row["truncated"] == 1
    stored = row["output"].encode("utf-8")
    assert len(stored) == 64 * 1024
    # Cut at 64 KiB of UTF-8, on a character boundary: 60001 bytes, then 1845 × 3.
    assert row["output"] == "x" * 60_000 + "\n" + "가" * 1845


def test_server_down_then_up_delivers_every_event_once(server, kernels, tmp_path):
    kernel = kernels(client_env(server.url, server.token, tmp_path))
    kernel.run("%load_ext lectern_client")
    kernel.run("first = 1")
    assert server.wait_count(1) == 1

    server.stop()
    times = []
    for n in range(6):
        times.append(kernel.run(f"print({n})\n{n} * 2", cell_id=f"offline-{n}").seconds)
    assert max(times) < 2.0, f"cells answered promptly while the server was down: {times}"
    status = wait_for(lambda: (s := kernel.status())["failures"] >= 2 and s, timeout=10)
    assert status["sent"] == 1 and status["spooled"] == 6, status
    assert "cannot reach" in status["last_error"]

    server.start()
    assert server.wait_count(7) == 7
    assert wait_for(lambda: kernel.status()["spooled"] == 0, timeout=10)
    time.sleep(1.5)  # anything sent twice would have arrived by now
    assert server.count() == 7
    assert server.rows("SELECT COUNT(DISTINCT event_key) AS n FROM cell_events")[0]["n"] == 7
    outputs = {row["cell_id"]: row["output"] for row in server.events()}
    assert all(outputs[f"offline-{n}"] == f"{n}\n{n * 2}" for n in range(6))
    (student,) = server.rows("SELECT executions FROM classroom_students")
    assert student["executions"] == 7, "counted once each"


def test_spooled_events_survive_a_kernel_restart(server_factory, kernels, tmp_path):
    server = server_factory()  # migrated and seeded, not running
    env = client_env(server.url, server.token, tmp_path)
    first = kernels(env)
    first.run("%load_ext lectern_client")
    for n in range(3):
        first.run(f"value = {n}", cell_id=f"early-{n}")
    assert wait_for(lambda: first.status()["spooled"] == 3, timeout=10)
    first.shutdown()
    spool = tmp_path / "spool"
    assert len(list(spool.glob("*/*.json"))) == 3, "kept on disk after the kernel ended"

    server.start()
    second = kernels(env)
    second.run("%load_ext lectern_client")
    assert server.wait_count(3) == 3
    second.run("later = 1", cell_id="later")
    assert server.wait_count(4) == 4
    assert [row["cell_id"] for row in server.events()] == ["early-0", "early-1", "early-2", "later"]
    assert wait_for(lambda: not list(spool.glob("*/*.json")), timeout=10)


def test_misconfiguration_warns_once_and_cells_still_run(kernels, tmp_path):
    kernel = kernels(kernel_env(tmp_path, LECTERN_URL="http://127.0.0.1:9"))
    loaded = kernel.run("%load_ext lectern_client")
    assert "NOT sending cell events" in loaded.stderr
    assert "LECTERN_TOKEN, LECTERN_EMAIL" in loaded.stderr
    assert loaded.stderr.count("lectern_client") == 1
    after = kernel.run("print(1 + 1)")
    assert (after.stdout, after.stderr, after.error) == ("2\n", "", None)
    shown = kernel.run("%lectern_status")
    assert "not sending events" in shown.stdout
    assert not list((tmp_path / "state").rglob("*.json")), "nothing spooled"


def test_auto_loaded_misconfiguration_warns_on_the_first_cell(kernels, tmp_path):
    auto_load(tmp_path)
    kernel = kernels(kernel_env(tmp_path, LECTERN_TOKEN="t"))
    first = kernel.run("1 + 1")
    assert first.result == "2" and "missing LECTERN_URL, LECTERN_EMAIL" in first.stderr
    assert kernel.run("2 + 2").stderr == ""


def test_disabled_client_is_silent(kernels, tmp_path):
    kernel = kernels(kernel_env(tmp_path, LECTERN_DISABLE="1", LECTERN_URL="http://127.0.0.1:9"))
    loaded = kernel.run("%load_ext lectern_client")
    assert (loaded.stdout, loaded.stderr) == ("", "")
    assert "disabled" in kernel.run("%lectern_status").stdout
    assert kernel.status()["enabled"] is False


@pytest.fixture
def hanging_server():
    """Accepts connections and never answers: the worst server for a client."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_hooks_add_negligible_time_even_with_a_hanging_server(kernels, tmp_path, hanging_server):
    def timings(kernel):
        kernel.run("x = 0")  # warm up
        return [kernel.run(f"x += {n}").seconds for n in range(15)]

    baseline = timings(kernels(kernel_env(tmp_path)))
    kernel = kernels(client_env(hanging_server, "tok", tmp_path, LECTERN_HTTP_TIMEOUT="60"))
    kernel.run("%load_ext lectern_client")
    with_client = timings(kernel)

    status = kernel.status()
    assert status["sent"] == 0 and status["spooled"] == 16, "the sender is stuck on the server"
    assert status["hook_ms_max"] < 50, status
    assert max(with_client) < 2.0
    slower = statistics.median(with_client) - statistics.median(baseline)
    assert slower < 0.1, f"median {statistics.median(with_client):.4f}s vs {statistics.median(baseline):.4f}s"


def test_backlog_is_sent_as_a_batch_and_refused_events_are_dropped(server, kernels, tmp_path):
    from lectern_client.config import load
    from lectern_client.spool import Spool

    env = client_env(server.url, server.token, tmp_path)
    # Left by an earlier kernel; the server refuses the middle one (no such team).
    spool = Spool(load(env).spool_path)
    spool.ensure()
    template = {
        "user_id": "mina", "user_name": "Mina Park", "email": EMAIL, "notebook_path": NOTEBOOK,
        "cell_type": "code", "execution_count": 1, "code": "1", "output": "1", "status": "success",
        "execution_time": 0.01, "timestamp": "2026-11-22T09:30:00+09:00",
    }
    for n, team in enumerate(["A", "ZZ", "A"]):
        spool.write({**template, "event_id": f"old-{n}", "cell_id": f"old-{n}", "team_name": team})

    kernel = kernels(env)
    kernel.run("%load_ext lectern_client")
    assert server.wait_count(2) == 2
    status = wait_for(lambda: (s := kernel.status())["spooled"] == 0 and s, timeout=10)
    assert (status["sent"], status["dropped"]) == (2, 1), status
    assert "invalid_team_format" in status["last_error"]
    assert [row["cell_id"] for row in server.events()] == ["old-0", "old-2"]
    assert server.events()[0]["occurred_at"].startswith("2026-11-22T00:30:00")


def test_a_wrong_token_keeps_events_until_it_is_fixed(server, kernels, tmp_path):
    wrong = kernels(client_env(server.url, "not-the-token", tmp_path))
    wrong.run("%load_ext lectern_client")
    wrong.run("a = 1")
    wrong.run("b = 2")
    status = wait_for(lambda: (s := wrong.status())["failures"] >= 2 and s, timeout=10)
    assert "401" in status["last_error"] and status["spooled"] == 2 and status["dropped"] == 0
    wrong.shutdown()

    fixed = kernels(client_env(server.url, server.token, tmp_path))
    fixed.run("%load_ext lectern_client")
    assert server.wait_count(2) == 2
    assert sorted(row["code"] for row in server.events()) == ["a = 1", "b = 2"]


def test_lectern_help_raises_one_request_with_the_last_cells_context(server, kernels, tmp_path):
    auto_load(tmp_path)
    kernel = kernels(client_env(server.url, server.token, tmp_path, JPY_SESSION_NAME=NOTEBOOK))
    failing = kernel.run("total += 1", cell_id="cell-h")
    assert failing.error["ename"] == "NameError"

    asked = kernel.run('%lectern_help "my total is undefined"')
    assert "help is on its way" in asked.stdout
    assert "number 1 in the queue" in asked.stdout
    again = kernel.run("%lectern_help still stuck")
    assert "already asked" in again.stdout

    (request,) = server.rows("SELECT * FROM help_requests")
    assert request["student_email"] == EMAIL
    assert request["message"] == "my total is undefined"
    assert (request["status"], request["source"]) == ("pending", "client")
    assert (request["notebook_path"], request["cell_id"]) == (NOTEBOOK, "cell-h")
    assert request["code"] == "total += 1"
    assert request["last_error"] == "NameError: name 'total' is not defined"
    (student,) = server.rows("SELECT * FROM classroom_students")
    assert student["help_open"] == 1, "the student's tile shows help"

    withdrawn = kernel.run("%lectern_help --cancel")
    assert "withdrawn" in withdrawn.stdout
    assert wait_for(lambda: server.rows("SELECT status FROM help_requests")[0]["status"] == "cancelled")
    # The magic cells themselves are not student work.
    assert server.rows("SELECT COUNT(*) AS n FROM cell_events WHERE kind = 'cell_executed'")[0]["n"] == 1


def test_lectern_help_says_so_when_the_server_is_down(kernels, tmp_path):
    port = free_port()
    kernel = kernels(client_env(f"http://127.0.0.1:{port}", "token", tmp_path))
    kernel.run("%load_ext lectern_client")
    shown = kernel.run('%lectern_help "anyone?"')
    assert "could not reach" in shown.stdout and "Raise your hand" in shown.stdout

