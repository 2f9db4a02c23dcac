"""The spool: atomic files, order, unreadable files, the size guard."""

import os
import time

from lectern_client.spool import Spool


def test_write_read_delete_in_order(tmp_path):
    spool = Spool(tmp_path / "s")
    assert spool.ensure()
    assert oct(os.stat(spool.path).st_mode & 0o777) == "0o700"
    paths = [spool.write({"event_id": f"e{i}", "code": "가" * i}) for i in range(3)]
    assert spool.files() == paths
    assert oct(os.stat(paths[0]).st_mode & 0o777) == "0o600"
    assert spool.read(paths[2]) == {"event_id": "e2", "code": "가가"}
    assert not [p for p in os.listdir(spool.path) if p.startswith(".")], "no temporary file remains"
    spool.delete(paths[0])
    spool.delete(paths[0])  # already gone: fine (another kernel sent it)
    assert spool.files() == paths[1:]
    assert spool.read(paths[0]) is None


def test_unreadable_files_are_removed(tmp_path):
    spool = Spool(tmp_path)
    (tmp_path / "0001-bad.json").write_text("{half")
    (tmp_path / "0002-noid.json").write_text('{"code": 1}')
    for path in spool.files():
        assert spool.read(path) is None
    assert spool.files() == []


def test_old_temporary_files_are_cleaned(tmp_path):
    spool = Spool(tmp_path)
    old = tmp_path / ".0001-x.json.1.tmp"
    new = tmp_path / ".0002-y.json.1.tmp"
    old.write_text("{")
    new.write_text("{")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    spool.clean_temporary()
    assert not old.exists() and new.exists()
    assert spool.files() == []


def test_full_spool_refuses(tmp_path):
    spool = Spool(tmp_path, max_files=2)
    assert spool.write({"event_id": "a"}) and spool.write({"event_id": "b"})
    assert spool.write({"event_id": "c"}) is None
    spool.delete(spool.files()[0])
    assert spool.write({"event_id": "d"}) is not None


def test_unwritable_folder(tmp_path):
    spool = Spool(tmp_path / "missing" / "deeper")
    assert spool.write({"event_id": "a"}) is None
