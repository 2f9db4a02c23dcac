"""The on-disk spool: one JSON file per event not yet acknowledged by the server.

A file is written to a hidden temporary name and renamed into place, so a reader
never sees half an event, and deleted only after the server answered 2xx. Names
start with the time in nanoseconds, so sorting them gives the order of the cells.
Several kernels may share a spool folder: whichever sends an event first deletes it,
and the server stores an event id once, so a race costs a request, not a duplicate.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import List, Optional

log = logging.getLogger(__name__)

SUFFIX = ".json"


class Spool:
    def __init__(self, path: Path, max_files: int = 10000) -> None:
        self.path = Path(path)
        self.max_files = max_files
        self._lock = threading.Lock()
        # Kept approximately (other kernels may share the folder): it only guards
        # the student's disk against a server that stays away for weeks.
        self._count: Optional[int] = None

    def ensure(self) -> bool:
        """Creates the folder (private to the user: it holds their code)."""
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            return True
        except OSError as error:
            log.warning("lectern: cannot create spool folder %s: %s", self.path, error)
            return False

    def write(self, event: dict) -> Optional[Path]:
        """Stores ``event`` atomically; its path, or ``None`` when it could not be
        stored (the caller then keeps it in memory only)."""
        with self._lock:
            if self._count is None:
                self._count = len(self.files())
            if self.max_files and self._count >= self.max_files:
                return None
        name = f"{time.time_ns():020d}-{event['event_id']}{SUFFIX}"
        final = self.path / name
        temporary = self.path / f".{name}.{os.getpid()}.tmp"
        data = json.dumps(event, ensure_ascii=False).encode("utf-8")
        try:
            # No fsync: the file must survive the kernel process, which the page
            # cache already guarantees, and fsync could stall a cell on a busy disk.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            os.replace(temporary, final)
        except OSError as error:
            log.warning("lectern: cannot spool event: %s", error)
            try:
                os.unlink(temporary)
            except OSError:
                pass
            return None
        with self._lock:
            self._count = (self._count or 0) + 1
        return final

    def files(self) -> List[Path]:
        """Spooled events, oldest first."""
        try:
            names = [
                entry.name
                for entry in os.scandir(self.path)
                if entry.name.endswith(SUFFIX) and not entry.name.startswith(".")
            ]
        except OSError:
            return []
        return [self.path / name for name in sorted(names)]

    def read(self, path: Path) -> Optional[dict]:
        """The event in ``path``; ``None`` if another kernel already sent it, or if
        the file is not an event (it is then removed, as it can never be sent)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("lectern: cannot read %s: %s", path, error)
            return None
        try:
            event = json.loads(data.decode("utf-8"))
            if not isinstance(event, dict) or not event.get("event_id"):
                raise ValueError("no event_id")
            return event
        except ValueError as error:
            log.warning("lectern: removing unreadable spool file %s: %s", path, error)
            self.delete(path)
            return None

    def delete(self, path: Optional[Path]) -> None:
        if path is None:
            return
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        except OSError as error:
            log.warning("lectern: cannot delete %s: %s", path, error)
            return
        with self._lock:
            if self._count:
                self._count -= 1

    def recount(self) -> int:
        count = len(self.files())
        with self._lock:
            self._count = count
        return count

    def clean_temporary(self, older_than: float = 3600.0) -> None:
        """Removes temporary files left by a kernel killed between write and rename."""
        now = time.time()
        try:
            entries = list(os.scandir(self.path))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                try:
                    if now - entry.stat().st_mtime > older_than:
                        os.unlink(entry.path)
                except OSError:
                    pass
