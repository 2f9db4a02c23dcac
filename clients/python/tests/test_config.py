"""Settings: environment, TOML and INI files, precedence and validation."""

from pathlib import Path

from lectern_client import config

GOOD = {"LECTERN_URL": "http://127.0.0.1:3000", "LECTERN_TOKEN": "tok", "LECTERN_EMAIL": "mina@example.edu"}


def env(tmp_path: Path, **values: str) -> dict:
    # XDG_CONFIG_HOME in tmp_path: the developer's own ~/.config is never read.
    return {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path), **values}


def test_environment_only(tmp_path):
    loaded = config.load(env(tmp_path, **GOOD, LECTERN_NAME="Mina Park", LECTERN_TEAM="Team b"))
    assert loaded.usable and not loaded.problems and not loaded.notes
    assert (loaded.url, loaded.token, loaded.email, loaded.name) == (
        "http://127.0.0.1:3000", "tok", "mina@example.edu", "Mina Park")
    assert loaded.team == "B"
    assert loaded.endpoint == "http://127.0.0.1:3000/api/v1/events"
    assert loaded.batch_endpoint == "http://127.0.0.1:3000/api/v1/events/batch"
    assert loaded.source is None


def test_missing_settings_are_listed(tmp_path):
    loaded = config.load(env(tmp_path, LECTERN_URL="http://x.example"))
    assert not loaded.usable
    assert loaded.problems == ["missing LECTERN_TOKEN, LECTERN_EMAIL"]


def test_invalid_url_and_email(tmp_path):
    loaded = config.load(env(tmp_path, **{**GOOD, "LECTERN_URL": "lectern.example", "LECTERN_EMAIL": "mina@localhost"}))
    assert len(loaded.problems) == 2
    assert "http://" in loaded.problems[0] and "not an email" in loaded.problems[1]


def test_toml_file_and_env_wins(tmp_path):
    folder = tmp_path / "cfg" / "lectern"
    folder.mkdir(parents=True)
    (folder / "client.toml").write_text(
        'url = "http://file.example"\ntoken = "file-token"\n[lectern]\nemail = "file@example.edu"\n'
        'team = 7\nretry_max_seconds = 5\ndisable = false\n'
    )
    loaded = config.load(env(tmp_path, LECTERN_TOKEN="env-token"))
    assert loaded.source == folder / "client.toml"
    assert (loaded.url, loaded.token, loaded.email, loaded.team) == (
        "http://file.example", "env-token", "file@example.edu", "7")
    assert loaded.retry_max_seconds == 5.0
    assert loaded.usable


def test_ini_file(tmp_path):
    folder = tmp_path / "cfg" / "lectern"
    folder.mkdir(parents=True)
    (folder / "client.ini").write_text("[lectern]\nurl = http://ini.example\ntoken = t\nemail = a@b.example\n")
    loaded = config.load(env(tmp_path))
    assert loaded.usable and loaded.url == "http://ini.example"


def test_explicit_config_file_and_broken_file(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("url = [unterminated\n")
    loaded = config.load(env(tmp_path, **GOOD, LECTERN_CONFIG=str(broken)))
    assert loaded.usable, "a broken file is a note, the environment still works"
    assert any("could not read" in note for note in loaded.notes)


def test_flat_toml_fallback_parser():
    parsed = config._parse_flat_toml('# c\nurl = "http://x" # comment\nqueue_size = 10\n[lectern]\ndisable = true\n')
    assert parsed == {"url": "http://x", "queue_size": 10, "lectern": {"disable": True}}


def test_disable_and_bad_team(tmp_path):
    loaded = config.load(env(tmp_path, **GOOD, LECTERN_DISABLE="yes"))
    assert loaded.disabled and not loaded.usable
    loaded = config.load(env(tmp_path, **GOOD, LECTERN_TEAM="100"))
    assert loaded.usable and loaded.team is None
    assert any("team" in note for note in loaded.notes)


def test_team_forms():
    assert config.normalize_team("a") == "A"
    assert config.normalize_team("チームC") == "C"
    assert config.normalize_team("99") == "99"
    for bad in ("0", "07", "100", "AB", "", "é"):
        assert config.normalize_team(bad) is None, bad


def test_numbers_and_spool_folder(tmp_path):
    loaded = config.load(env(tmp_path, **GOOD, LECTERN_RETRY_MAX_SECONDS="nope", LECTERN_QUEUE_SIZE="5",
                             LECTERN_SPOOL_DIR=str(tmp_path / "spool")))
    assert loaded.retry_max_seconds == 60.0 and loaded.notes
    assert loaded.queue_size == 5
    assert loaded.spool_path.parent == tmp_path / "spool"
    assert loaded.spool_path.name.startswith("127.0.0.1_3000-")
    other = config.load(env(tmp_path, **{**GOOD, "LECTERN_URL": "https://other.example"},
                            LECTERN_SPOOL_DIR=str(tmp_path / "spool")))
    assert other.spool_path != loaded.spool_path, "each server has its own spool"


def test_default_spool_follows_xdg_state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert config.default_spool_root() == tmp_path / "state" / "lectern" / "spool"
