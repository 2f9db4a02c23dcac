"""Settings of the client: environment variables first, then a config file.

Every setting has an environment variable ``LECTERN_<KEY>`` and a key of the same
name in lower case in the config file (``~/.config/lectern/client.toml``, or
``client.ini`` beside it, or the file named by ``LECTERN_CONFIG``). A variable that
is set wins over the file, key by key.
"""

from __future__ import annotations

import configparser
import getpass
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

# Keys read from the environment (as LECTERN_<KEY upper>) and from the file.
KEYS = (
    "url",
    "token",
    "email",
    "name",
    "team",
    "user_id",
    "spool_dir",
    "disable",
    "retry_base_seconds",
    "retry_max_seconds",
    "http_timeout",
    "queue_size",
    "spool_max_files",
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass
class Config:
    """What the extension needs to know; :func:`load` builds it."""

    url: str = ""
    token: str = ""
    email: str = ""
    name: str = ""
    team: Optional[str] = None
    user_id: str = ""
    spool_dir: Path = field(default_factory=lambda: default_spool_root())
    disabled: bool = False
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 60.0
    http_timeout: float = 10.0
    queue_size: int = 1000
    spool_max_files: int = 10000
    # The config file that was read, if any, for %lectern_status.
    source: Optional[Path] = None
    # Problems that stop the client from sending (missing or invalid settings).
    problems: List[str] = field(default_factory=list)
    # Problems worth a warning that do not stop it (a bad team is left out).
    notes: List[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.disabled and not self.problems

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + "/api/v1/events"

    @property
    def help_endpoint(self) -> str:
        return self.url.rstrip("/") + "/api/v1/help/request"

    @property
    def batch_endpoint(self) -> str:
        return self.url.rstrip("/") + "/api/v1/events/batch"

    @property
    def spool_path(self) -> Path:
        """This server's spool folder: events are only ever sent where they were meant
        to go, even if the URL setting changes between runs."""
        digest = hashlib.sha256(self.url.rstrip("/").encode("utf-8")).hexdigest()[:12]
        host = re.sub(r"[^A-Za-z0-9.-]+", "_", re.sub(r"^[a-z]+://", "", self.url.rstrip("/")))
        return Path(self.spool_dir) / f"{host[:60]}-{digest}"

    def masked_token(self) -> str:
        if not self.token:
            return "(not set)"
        return self.token[:4] + "…" if len(self.token) > 8 else "****"


def default_spool_root() -> Path:
    """``$XDG_STATE_HOME/lectern/spool``: state that must outlive the kernel."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "lectern" / "spool"


def config_file_candidates(env: Mapping[str, str]) -> List[Path]:
    explicit = env.get("LECTERN_CONFIG")
    if explicit:
        return [Path(explicit).expanduser()]
    base = Path(env.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")) / "lectern"
    return [base / "client.toml", base / "client.ini"]


def _parse_toml(text: str) -> Dict[str, object]:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover - exercised on Python < 3.11 only
        return _parse_flat_toml(text)
    return tomllib.loads(text)


def _parse_flat_toml(text: str) -> Dict[str, object]:
    """The subset of TOML a client file needs (``key = value`` lines, optional
    ``[lectern]`` table), for Pythons without tomllib."""
    data: Dict[str, object] = {}
    table: Dict[str, object] = data
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            table = data.setdefault(line[1:-1].strip(), {})  # type: ignore[assignment]
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"not a key = value line: {raw!r}")
        value = value.strip()
        if value[:1] in ('"', "'"):
            quote = value[0]
            end = value.find(quote, 1)
            if end < 0:
                raise ValueError(f"unterminated string: {raw!r}")
            parsed: object = value[1:end]
        else:
            value = value.split("#", 1)[0].strip()
            if value in ("true", "false"):
                parsed = value == "true"
            else:
                try:
                    parsed = int(value)
                except ValueError:
                    parsed = float(value)
        table[key.strip()] = parsed
    return data


def read_file(path: Path) -> Dict[str, str]:
    """The settings in one config file, as strings. TOML may keep them at the top
    level or in a ``[lectern]`` table; INI needs a ``[lectern]`` section."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        data = _parse_toml(text)
        table = data.get("lectern")
        if isinstance(table, dict):
            data = {**data, **table}
    else:
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text, source=str(path))
        data = dict(parser["lectern"]) if parser.has_section("lectern") else {}
    values: Dict[str, str] = {}
    for key, value in data.items():
        if key in KEYS and not isinstance(value, dict):
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def normalize_team(raw: str) -> Optional[str]:
    """``A``-``Z`` or ``1``-``99`` as the server takes it (``Team b`` becomes ``B``);
    ``None`` when it is no such team."""
    name = raw.strip()
    for prefix in ("チーム", "Team", "team"):
        if name.startswith(prefix):
            name = name[len(prefix):].strip()
            break
    if len(name) == 1 and name.isascii() and name.isalpha():
        return name.upper()
    if name.isdigit() and name.isascii() and not name.startswith("0") and 1 <= int(name) <= 99:
        return name
    return None


def _number(values: Dict[str, str], key: str, default: float, problems: List[str]) -> float:
    raw = values.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        number = float(raw)
    except ValueError:
        problems.append(f"{key} is not a number: {raw!r}; using {default}")
        return default
    if number < 0:
        problems.append(f"{key} must not be negative; using {default}")
        return default
    return number


def looks_like_email(email: str) -> bool:
    """The server's own check, so that a typo is reported here instead of every
    event being refused."""
    local, at, domain = email.partition("@")
    return (
        bool(at)
        and len(email) <= 254
        and bool(local)
        and not any(c.isspace() or not c.isprintable() for c in email)
        and "@" not in domain
        and "." in domain
        and not domain.startswith(".")
        and not domain.endswith(".")
        and ".." not in domain
    )


def default_user_id(env: Mapping[str, str]) -> str:
    if env.get("JUPYTERHUB_USER"):
        return env["JUPYTERHUB_USER"]
    try:
        return getpass.getuser()
    except Exception:  # no user name on some containers; the server does not need it
        return ""


def load(env: Optional[Mapping[str, str]] = None) -> Config:
    """Reads the settings; never raises (problems are listed on the result)."""
    env = os.environ if env is None else env
    values: Dict[str, str] = {}
    notes: List[str] = []
    source: Optional[Path] = None
    for candidate in config_file_candidates(env):
        if candidate.is_file():
            try:
                values.update(read_file(candidate))
                source = candidate
            except Exception as error:  # a broken file must not stop the kernel
                notes.append(f"could not read {candidate}: {error}")
            break
    for key in KEYS:
        value = env.get("LECTERN_" + key.upper())
        if value is not None:
            values[key] = value

    config = Config(source=source, notes=notes)
    disable = values.get("disable", "").strip().lower()
    config.disabled = disable in _TRUE
    if disable not in _TRUE and disable not in _FALSE:
        notes.append(f"disable should be 1 or 0, not {disable!r}; the client stays on")
    config.url = values.get("url", "").strip()
    config.token = values.get("token", "").strip()
    config.email = values.get("email", "").strip()
    config.name = values.get("name", "").strip()
    config.user_id = values.get("user_id", "").strip() or default_user_id(env)
    if values.get("spool_dir", "").strip():
        config.spool_dir = Path(values["spool_dir"].strip()).expanduser()
    team = values.get("team", "").strip()
    if team:
        config.team = normalize_team(team)
        if config.team is None:
            notes.append(f"team {team!r} is not A-Z or 1-99, so it is left out")

    config.retry_base_seconds = _number(values, "retry_base_seconds", 1.0, notes)
    config.retry_max_seconds = max(
        _number(values, "retry_max_seconds", 60.0, notes), config.retry_base_seconds
    )
    config.http_timeout = _number(values, "http_timeout", 10.0, notes) or 10.0
    config.queue_size = max(1, int(_number(values, "queue_size", 1000, notes)))
    config.spool_max_files = int(_number(values, "spool_max_files", 10000, notes))

    missing: List[Tuple[str, str]] = [
        (key, "LECTERN_" + key.upper()) for key in ("url", "token", "email") if not getattr(config, key)
    ]
    if missing:
        config.problems.append("missing " + ", ".join(var for _, var in missing))
    if config.url and not re.match(r"^https?://[^/\s]+", config.url):
        config.problems.append(f"LECTERN_URL must start with http:// or https://, not {config.url!r}")
    if config.email and not looks_like_email(config.email):
        config.problems.append(f"LECTERN_EMAIL {config.email!r} is not an email address")
    return config
