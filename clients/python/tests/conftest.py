"""Fixtures for the end-to-end tests: a real Lectern server (the binary at
``$LECTERN_BIN``) on a fresh SQLite file, and real ipykernels driven by
jupyter_client with the extension loaded."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

# jupyter_core's standard folders, without its deprecation warning on older versions.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

REPO = Path(__file__).resolve().parents[3]
DEFAULT_BIN = REPO / "target" / "debug" / "lectern"
EMAIL = "mina@example.edu"


def lectern_bin() -> Path:
    return Path(os.environ.get("LECTERN_BIN") or DEFAULT_BIN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Polls ``predicate`` until it returns something truthy; that value, or the
    last falsy one after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


class LecternServer:
    """One `lectern serve` process on a database of its own; it can be stopped and
    started again on the same port and file."""

    def __init__(self, binary: Path, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.db = workdir / "lectern.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: Optional[subprocess.Popen] = None
        self.log = workdir / "server.log"
        # A clean environment: nothing of the developer's LECTERN_* or .env leaks in
        # (the working directory is the empty temporary folder).
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "DATABASE_URL": f"sqlite://{self.db}",
            "LECTERN_LISTEN": f"127.0.0.1:{self.port}",
            "LECTERN_LOG": "warn",
            "LECTERN_SHUTDOWN_TIMEOUT": "2",
        }
        self.token = ""
        self.class_id = ""

    def migrate_and_seed(self) -> None:
        subprocess.run(
            [str(self.binary), "migrate"], env=self.env, cwd=self.workdir, check=True,
            capture_output=True, timeout=120,
        )
        self.token, self.class_id = seed_class(self.db)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(self.binary), "serve"], env=self.env, cwd=self.workdir,
                stdout=log, stderr=subprocess.STDOUT,
            )
        if not wait_for(self.healthy, timeout=60):
            self.stop()
            raise RuntimeError(f"lectern did not become healthy:\n{self.log.read_text()[-3000:]}")

    def healthy(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"lectern exited:\n{self.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def rows(self, sql: str, *params: Any) -> List[sqlite3.Row]:
        connection = sqlite3.connect(self.db, timeout=10)
        connection.row_factory = sqlite3.Row
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def events(self) -> List[sqlite3.Row]:
        return self.rows("SELECT * FROM cell_events ORDER BY id")

    def count(self) -> int:
        return self.rows("SELECT COUNT(*) AS n FROM cell_events")[0]["n"]

    def wait_count(self, expected: int, timeout: float = 20.0) -> int:
        """Waits for ``expected`` stored events; the count then."""
        wait_for(lambda: self.count() >= expected, timeout=timeout)
        return self.count()


def seed_class(db: Path) -> tuple:
    """An instructor, a course and a class with an ingest token, written straight
    into the migrated database (migrations/sqlite/0002 and 0007 for the columns)."""
    now = datetime.now(timezone.utc).isoformat()
    user, course, klass = (str(uuid.uuid4()) for _ in range(3))
    token = "ing_" + uuid.uuid4().hex
    connection = sqlite3.connect(db)
    try:
        with connection:
            connection.execute(
                "INSERT INTO users (id, email, first_name, last_name, role, security_stamp, created_at, updated_at) "
                "VALUES (?, 'teacher@example.edu', 'Ada', 'Lovelace', 'instructor', ?, ?, ?)",
                (user, uuid.uuid4().hex, now, now),
            )
            connection.execute(
                "INSERT INTO courses (id, title, created_at, created_by, updated_at, updated_by) "
                "VALUES (?, 'Python', ?, ?, ?, ?)",
                (course, now, user, now, user),
            )
            connection.execute(
                "INSERT INTO classes (id, course_id, title, subject, join_code, ingest_token, created_at, "
                "created_by, updated_at, updated_by) VALUES (?, ?, 'Python 1', 'Python', ?, ?, ?, ?, ?, ?)",
                (klass, course, uuid.uuid4().hex[:8].upper(), token, now, user, now, user),
            )
            connection.execute(
                "INSERT INTO class_instructors (class_id, user_id, created_at, created_by) VALUES (?, ?, ?, ?)",
                (klass, user, now, user),
            )
    finally:
        connection.close()
    return token, klass


@pytest.fixture
def server_factory(tmp_path):
    """Makes migrated, seeded servers (not yet started); stops them at the end."""
    binary = lectern_bin()
    if not binary.is_file():
        message = f"the Lectern binary is not at {binary} (build it, or set LECTERN_BIN)"
        if os.environ.get("LECTERN_REQUIRE_BIN"):
            pytest.fail(message)
        pytest.skip(message)
    servers: List[LecternServer] = []

    def make() -> LecternServer:
        workdir = tmp_path / f"server{len(servers)}"
        workdir.mkdir()
        server = LecternServer(binary, workdir)
        server.migrate_and_seed()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def server(server_factory) -> LecternServer:
    """A running server with one class."""
    server = server_factory()
    server.start()
    return server


# -- kernels ------------------------------------------------------------------------


@dataclass
class Execution:
    reply: Dict[str, Any]
    seconds: float
    stdout: str = ""
    stderr: str = ""
    result: Optional[str] = None
    error: Optional[Dict[str, Any]] = None
    messages: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def execution_count(self) -> int:
        return self.reply["content"]["execution_count"]


class Kernel:
    """A real ipykernel (this Python, so it imports the installed client)."""

    def __init__(self, tmp_path: Path, env: Dict[str, str]) -> None:
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        # Our own kernel spec: whatever "python3" the machine has registered, the
        # kernel is this interpreter.
        specs = tmp_path / "kernels"
        spec = specs / "lectern-test"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "lectern test", "language": "python",
        }))
        manager = KernelSpecManager(kernel_dirs=[str(specs)], ensure_native_kernel=False)
        # IPC sockets: local only, and no warning about unencrypted TCP.
        self.km = KernelManager(
            kernel_name="lectern-test", kernel_spec_manager=manager, transport="ipc",
            ip=str(tmp_path / f"kernel-ipc-{uuid.uuid4().hex[:8]}"),
        )
        self.km.start_kernel(env=env)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str, cell_id: Optional[str] = None, timeout: float = 60.0) -> Execution:
        """Executes one cell as a notebook front end does (with its cell id in the
        request's metadata, as JupyterLab sends it)."""
        content = {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": False,
        }
        metadata = {"cellId": cell_id} if cell_id else {}
        message = self.kc.session.msg("execute_request", content, metadata=metadata)
        started = time.monotonic()
        self.kc.shell_channel.send(message)
        msg_id = message["header"]["msg_id"]
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        execution = Execution(reply=reply, seconds=time.monotonic() - started)
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            execution.messages.append(msg)
            kind, body = msg["msg_type"], msg["content"]
            if kind == "stream":
                if body["name"] == "stdout":
                    execution.stdout += body["text"]
                else:
                    execution.stderr += body["text"]
            elif kind == "execute_result":
                execution.result = body["data"].get("text/plain")
            elif kind == "error":
                execution.error = body
            elif kind == "status" and body["execution_state"] == "idle":
                return execution

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of a Python literal expression, computed silently (a silent
        execution fires no cell hooks, so it makes no event)."""
        msg_id = self.kc.execute("", silent=True, user_expressions={"value": expression})
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        value = reply["content"]["user_expressions"]["value"]
        if value["status"] != "ok":
            raise RuntimeError(f"{expression}: {value}")
        import ast

        return ast.literal_eval(value["data"]["text/plain"])

    def status(self) -> Dict[str, Any]:
        return self.evaluate("__import__('lectern_client').status()")

    def shutdown(self) -> None:
        if not self.km.has_kernel:
            return
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=False)


def kernel_env(tmp_path: Path, **values: str) -> Dict[str, str]:
    """This process's environment without the developer's Lectern settings, with a
    private IPython and config folder, plus ``values``."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith("LECTERN_") and key not in ("JPY_SESSION_NAME", "IPYTHONDIR", "XDG_CONFIG_HOME")
    }
    env.update(
        IPYTHONDIR=str(tmp_path / "ipython"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.update(values)
    return env


def client_env(server_url: str, token: str, tmp_path: Path, **values: str) -> Dict[str, str]:
    """Settings for a working client with quick retries."""
    base = {
        "LECTERN_URL": server_url,
        "LECTERN_TOKEN": token,
        "LECTERN_EMAIL": EMAIL,
        "LECTERN_NAME": "Mina Park",
        "LECTERN_SPOOL_DIR": str(tmp_path / "spool"),
        "LECTERN_RETRY_BASE_SECONDS": "0.1",
        "LECTERN_RETRY_MAX_SECONDS": "0.5",
    }
    base.update(values)
    return kernel_env(tmp_path, **base)


@pytest.fixture
def kernels(tmp_path):
    """Starts kernels with ``start(env)``; shuts them all down at the end."""
    started: List[Kernel] = []

    def start(env: Dict[str, str]) -> Kernel:
        kernel = Kernel(tmp_path, env)
        started.append(kernel)
        return kernel

    yield start
    for kernel in started:
        try:
            kernel.shutdown()
        except Exception:
            pass
