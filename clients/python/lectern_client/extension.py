"""The IPython side: cell hooks that turn each execution into an event.

Both hooks catch every exception and do no network I/O: ``pre_run_cell`` notes the
time and starts copying output; ``post_run_cell`` builds the event and hands it to
the :class:`~lectern_client.sender.Sender` (spool file + queue). Their own cost is
measured and shown by ``%lectern_status``.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import reprlib
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from . import config as config_module
from .capture import Capture, StreamTee, cap, clean
from .config import Config
from .sender import Sender, encode, http_post
from .spool import Spool

log = logging.getLogger("lectern_client")

# Nested run_cell calls stack their cells; a stack this deep means post hooks went
# missing, and the oldest entries are forgotten.
MAX_OPEN_CELLS = 16
# Seconds a closing kernel waits for a reachable server to take the last events
# (they stay spooled for the next start anyway).
EXIT_FLUSH_SECONDS = 1.0
# Seconds ``%lectern_help`` waits for the server: the student is waiting for an answer.
HELP_TIMEOUT = 5.0


class _ResultRepr(reprlib.Repr):
    """``repr`` of the cell's value, abbreviated for huge containers so the hook
    never spends long on it (objects' own ``__repr__`` is used as is)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 6
        self.maxtuple = self.maxlist = self.maxarray = self.maxdeque = 1000
        self.maxdict = self.maxset = self.maxfrozenset = 1000
        self.maxstring = self.maxother = self.maxlong = 70000


_repr = _ResultRepr()


def safe_text(value: Any, limit: Optional[int] = None) -> str:
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    text = clean(text)
    return text[:limit] if limit is not None else text


def _only_own_magics(code: Optional[str]) -> bool:
    """A cell of nothing but ``%lectern_…`` lines is about the client, not the
    student's work: it would count as a completed cell on the dashboard."""
    lines = [line.strip() for line in (code or "").splitlines() if line.strip()]
    return bool(lines) and all(line.startswith("%lectern_") for line in lines)


@dataclass
class _Cell:
    info: Any
    started: float
    capture: Capture
    tees: List[StreamTee] = field(default_factory=list)


class Client:
    """One loaded extension: configuration, hooks and sender."""

    def __init__(self, shell: Any, config: Config) -> None:
        self.shell = shell
        self.config = config
        self.spool = Spool(config.spool_path, config.spool_max_files)
        self.sender = Sender(config, self.spool)
        self._cells: List[_Cell] = []
        self.events = 0
        self.hook_calls = 0
        self.hook_seconds_total = 0.0
        self.hook_seconds_max = 0.0
        self._writer_codes = self._find_writer_codes()
        # The last cell's event: the context of a help request.
        self.last_event: Optional[Dict[str, Any]] = None

    def start(self) -> None:
        # Here, not in the thread: the first cell's event must find the folder.
        self.spool.ensure()
        self.sender.start()
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        atexit.register(self.close)

    def stop(self) -> None:
        for name, hook in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                self.shell.events.unregister(name, hook)
            except ValueError:
                pass
        for cell in self._cells:
            for tee in cell.tees:
                tee.stop()
        self._cells.clear()
        try:
            atexit.unregister(self.close)
        except Exception:
            pass
        # A request in flight is not waited for long: %reload_ext runs in a cell.
        self.sender.stop(timeout=0.5)

    def close(self) -> None:
        """At interpreter exit: a last delivery attempt if the server is answering."""
        try:
            # Only worth a wait when the server has been answering; the events stay
            # spooled either way, and the thread is a daemon, so nothing else waits.
            if self.sender.failures == 0 and self.sender.last_sent_at is not None:
                self.sender.flush(EXIT_FLUSH_SECONDS)
            self.sender.stop(timeout=0)
        except Exception:
            pass

    # -- hooks ---------------------------------------------------------------------------

    def pre_run_cell(self, info: Any = None) -> None:
        began = time.perf_counter()
        try:
            cell = _Cell(info=info, started=began, capture=Capture())
            for name in ("stdout", "stderr"):
                tee = StreamTee(name, cell.capture, self._showing_other_output)
                tee.start()
                cell.tees.append(tee)
            self._cells.append(cell)
            while len(self._cells) > MAX_OPEN_CELLS:
                for tee in self._cells.pop(0).tees:
                    tee.stop()
        except Exception:
            log.debug("lectern: pre_run_cell failed", exc_info=True)
        finally:
            self._account(began)

    def post_run_cell(self, result: Any = None) -> None:
        ended = time.perf_counter()
        try:
            cell = self._pop(getattr(result, "info", None))
            if cell is None:
                # No matching start: the cell that loaded the extension, or an empty
                # cell (IPython skips pre_run_cell for those). Nothing to time.
                return
            for tee in reversed(cell.tees):
                tee.stop()
            if _only_own_magics(getattr(cell.info, "raw_cell", None)):
                return
            event = self.build_event(cell, result, ended - cell.started)
            self.last_event = event
            self.sender.submit(event)
            self.events += 1
        except Exception:
            log.debug("lectern: post_run_cell failed", exc_info=True)
        finally:
            self._account(ended)

    # -- helpers ---------------------------------------------------------------------------

    def _account(self, began: float) -> None:
        spent = time.perf_counter() - began
        self.hook_calls += 1
        self.hook_seconds_total += spent
        self.hook_seconds_max = max(self.hook_seconds_max, spent)

    def _showing_other_output(self) -> bool:
        """Whether a write is the traceback or the ``Out[n]`` repr, which the event
        reports on its own (a terminal shell prints them to stdout)."""
        shell = self.shell
        displayhook = getattr(shell, "displayhook", None)
        if getattr(shell, "showing_traceback", False) or getattr(displayhook, "is_active", False):
            return True
        if not self._writer_codes:
            return False
        # IPython < 9 has no such flags: look for their writers up the stack.
        try:
            frame = sys._getframe(2)
        except ValueError:  # written from C with no Python caller
            return False
        for _ in range(8):
            if frame is None:
                return False
            if frame.f_code in self._writer_codes:
                return True
            frame = frame.f_back
        return False

    def _find_writer_codes(self) -> set:
        shell = self.shell
        displayhook = getattr(shell, "displayhook", None)
        if hasattr(shell, "showing_traceback") and hasattr(displayhook, "is_active"):
            return set()
        codes = set()
        for owner, name in ((type(shell), "_showtraceback"), (type(displayhook), "__call__")):
            code = getattr(getattr(owner, name, None), "__code__", None)
            if code is not None:
                codes.add(code)
        return codes

    def _pop(self, info: Any) -> Optional[_Cell]:
        for index in range(len(self._cells) - 1, -1, -1):
            if info is None or self._cells[index].info is info:
                return self._cells.pop(index)
        return None

    def notebook_path(self) -> str:
        path = os.environ.get("JPY_SESSION_NAME")
        if not path:
            user_ns = getattr(self.shell, "user_ns", {}) or {}
            path = user_ns.get("__vsc_ipynb_file__")
        return safe_text(path) if path else "unknown"

    def build_event(self, cell: _Cell, result: Any, seconds: float) -> Dict[str, Any]:
        info = cell.info
        code = safe_text(getattr(info, "raw_cell", None) or "")
        cell_id = getattr(info, "cell_id", None)
        if not cell_id:
            # Without an id from the front end, the same code counts as the same cell.
            cell_id = "code-" + hashlib.sha1(code.encode("utf-8")).hexdigest()[:16]
        error = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)

        output = cell.capture.text()
        value = getattr(result, "result", None)
        if value is not None:
            try:
                shown = _repr.repr(value)
            except Exception:
                shown = f"<{type(value).__name__} whose repr failed>"
            if output and not output.endswith("\n"):
                output += "\n"
            output += shown

        count = getattr(result, "execution_count", None)
        path = self.notebook_path()
        event: Dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "user_id": self.config.user_id[:200],
            "user_name": self.config.name[:200],
            "email": self.config.email,
            # The server keeps 1024 characters; the end of a path says more.
            "notebook_path": path[-1024:],
            "cell_id": safe_text(cell_id, 256),
            "cell_type": "code",
            "execution_count": count if isinstance(count, int) and count >= 0 else None,
            "code": cap(code, "code"),
            "output": cap(output, "output", cut_before=cell.capture.overflowed),
            "status": "error" if error is not None else "success",
            "error_type": safe_text(type(error).__name__, 200) if error is not None else None,
            "error_message": safe_text(error, 4096) if error is not None else None,
            "execution_time": round(min(max(seconds, 0.0), 999_999.0), 6),
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        }
        if self.config.team:
            event["team_name"] = self.config.team
        return event

    def status(self) -> Dict[str, Any]:
        stats = self.sender.stats()
        stats.update(
            events=self.events,
            hook_calls=self.hook_calls,
            hook_ms_max=round(self.hook_seconds_max * 1000, 3),
            hook_ms_mean=round(self.hook_seconds_total * 1000 / self.hook_calls, 3) if self.hook_calls else 0.0,
            spool_path=str(self.spool.path),
        )
        return stats


# -- loading ----------------------------------------------------------------------------

_client: Optional[Client] = None
_config: Optional[Config] = None


def _print_once_after_cell(shell: Any, message: str) -> None:
    """Prints ``message`` after the current (or next) cell, once: at ``%load_ext``
    that is the loading cell; when loaded at kernel start, the first cell, where a
    student sees it (the kernel's own log is not shown in notebooks)."""

    def show(*_: Any) -> None:
        try:
            shell.events.unregister("post_run_cell", show)
        except ValueError:
            pass
        try:
            print(message, file=sys.stderr)
        except Exception:
            pass

    shell.events.register("post_run_cell", show)


def load(shell: Any) -> None:
    global _client, _config
    if _client is not None:
        return
    config = config_module.load()
    _config = config
    _register_magics(shell)
    if config.disabled:
        return
    lines: List[str] = []
    if config.problems:
        where = config.source or config_module.config_file_candidates(os.environ)[0]
        lines.append(
            "lectern_client: NOT sending cell events to the classroom: "
            + "; ".join(config.problems)
            + f". Set them as environment variables or in {where}. Your code runs as usual."
        )
    lines.extend(f"lectern_client: {note}" for note in config.notes)
    if lines:
        _print_once_after_cell(shell, "\n".join(lines))
    if not config.usable:
        return
    client = Client(shell, config)
    client.start()
    _client = client


def unload(shell: Any) -> None:
    global _client
    client, _client = _client, None
    if client is not None:
        client.stop()


def status() -> Dict[str, Any]:
    """The configuration and delivery counters (what ``%lectern_status`` shows)."""
    config = _config or config_module.load()
    info: Dict[str, Any] = {
        "enabled": _client is not None,
        "disabled": config.disabled,
        "problems": list(config.problems),
        "notes": list(config.notes),
        "url": config.url,
        "token": config.masked_token(),
        "email": config.email,
        "name": config.name,
        "team": config.team,
        "config_file": str(config.source) if config.source else None,
    }
    if _client is not None:
        info["notebook_path"] = _client.notebook_path()
        info.update(_client.status())
    return info


def _lectern_status(line: str = "") -> None:
    """Shows the client's configuration and how many events are queued or spooled."""
    info = status()
    if info["disabled"]:
        print("Lectern: disabled (LECTERN_DISABLE).")
        return
    if not info["enabled"]:
        problems = "; ".join(info["problems"]) or "not loaded"
        print(f"Lectern: not sending events ({problems}).")
        return
    ago = ""
    if info.get("last_sent_at"):
        ago = f" (last {time.time() - info['last_sent_at']:.0f} s ago)"
    lines = [
        f"Lectern: sending to {info['url']} (token {info['token']})",
        f"  student:   {info['name'] or '(no name)'} <{info['email']}>"
        + (f", team {info['team']}" if info["team"] else ""),
        f"  notebook:  {info['notebook_path']}",
        f"  config:    {info['config_file'] or 'environment only'}",
        f"  events:    {info['events']} recorded, {info['sent']} delivered{ago}, {info['dropped']} refused by the server",
        f"  waiting:   {info['queued']} queued, {info['in_hand']} in hand, {info['spooled']} spooled in {info['spool_path']}",
        f"  sender:    {'running' if info['running'] else 'STOPPED'}"
        + (f", retry in {info['retry_in']:.1f} s after {info['failures']} failures" if info.get("retry_in") is not None else ""),
        f"  hooks:     {info['hook_ms_mean']} ms mean, {info['hook_ms_max']} ms max per call",
    ]
    if info.get("last_error"):
        lines.append(f"  last error: {info['last_error']}")
    for note in info["notes"]:
        lines.append(f"  note: {note}")
    print("\n".join(lines))


def help_request(message: str) -> Dict[str, Any]:
    """The body of a help request: who asks, what about, and the last cell's context
    (notebook, cell, code and error) so the instructor sees it before walking over."""
    config = _config or config_module.load()
    body: Dict[str, Any] = {
        "email": config.email,
        "user_name": config.name[:200],
        "message": message[:2000],
    }
    if config.team:
        body["team_name"] = config.team
    last = _client.last_event if _client is not None else None
    if last is not None:
        body["notebook_path"] = last["notebook_path"]
        body["cell_id"] = last["cell_id"]
        body["code"] = last["code"]
        if last.get("error_type"):
            body["last_error"] = f"{last['error_type']}: {last.get('error_message') or ''}".strip()
    elif _client is not None:
        body["notebook_path"] = _client.notebook_path()
    return body


def _answer_text(body: bytes) -> Dict[str, Any]:
    try:
        answer = json.loads(body.decode("utf-8"))
        return answer if isinstance(answer, dict) else {}
    except Exception:
        return {}


def _lectern_help(line: str = "") -> None:
    """``%lectern_help "message"`` asks an instructor for help; ``%lectern_help
    --cancel`` withdraws the request."""
    config = _config or config_module.load()
    if not config.usable:
        problems = "; ".join(config.problems) or "disabled"
        print(f"Lectern: cannot ask for help ({problems}). Raise your hand instead.")
        return
    text = line.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    try:
        if text == "--cancel":
            stop = {
                "eventId": str(uuid.uuid4()),
                "eventType": "help_stop",
                "eventTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "emailAddress": config.email,
                "userName": config.name[:200],
                "sessionId": "lectern-client",
                "notebookPath": _client.notebook_path() if _client is not None else "",
            }
            status, _, body = http_post(config.endpoint, config.token, encode([stop]), HELP_TIMEOUT)
            if 200 <= status < 300:
                print("Lectern: your help request is withdrawn.")
            else:
                print(f"Lectern: could not withdraw the request (HTTP {status}).")
            return
        status, _, body = http_post(config.help_endpoint, config.token, encode(help_request(text)), HELP_TIMEOUT)
    except Exception as error:
        print(f"Lectern: could not reach {config.url} ({error}). Raise your hand instead.")
        return
    answer = _answer_text(body)
    if status in (200, 201):
        place = answer.get("position")
        where = f" You are number {place} in the queue." if place else ""
        if status == 201:
            print(f"Lectern: help is on its way: your request is in the queue.{where}")
        else:
            print(f"Lectern: you already asked; your request is still open.{where}")
    else:
        message = answer.get("message") or f"HTTP {status}"
        details = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in answer.get("details") or [])
        print(f"Lectern: the help request was refused ({message}{': ' + details if details else ''}).")


def _register_magics(shell: Any) -> None:
    try:
        shell.register_magic_function(_lectern_status, "line", "lectern_status")
        shell.register_magic_function(_lectern_help, "line", "lectern_help")
    except Exception:
        log.debug("lectern: cannot register magics", exc_info=True)
