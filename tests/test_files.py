"""Tests for nnscratch.files: whole files are replaced atomically, or not at all."""

import os

import pytest

from nnscratch import files
from nnscratch.errors import InputError
from nnscratch.files import atomic_open, rename_into_place


def test_writes_text_and_bytes_and_leaves_no_temporary(tmp_path):
    with atomic_open(tmp_path / "a.txt") as f:
        f.write("π\n")
    with atomic_open(tmp_path / "b.bin", "wb") as f:
        f.write(b"\x00\x01")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "π\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_an_error_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "results.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as f:
        f.write("half of the new")
        raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_the_bytes_are_synced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(files.os, "replace",
                        lambda a, b: events.append("replace") or real_replace(a, b))
    with atomic_open(tmp_path / "m.npz", "wb") as f:
        f.write(b"data")
    assert events[:2] == ["fsync", "replace"]


def test_rename_into_place_replaces_the_target(tmp_path):
    (tmp_path / "x.part").write_bytes(b"new")
    (tmp_path / "x").write_bytes(b"old")
    rename_into_place(tmp_path / "x.part", tmp_path / "x")
    assert (tmp_path / "x").read_bytes() == b"new" and not (tmp_path / "x.part").exists()


def test_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or directory"):
        with atomic_open(tmp_path / "no" / "such" / "file.csv"):
            pass


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_file_gets_the_umask_s_permissions_and_an_old_one_keeps_its_own(tmp_path):
    """Regression: the temporary file of mkstemp is 0o600, and the rename kept that, so every
    model file and results file nnscratch wrote was readable by its writer only."""
    old = os.umask(0o022)
    try:
        with atomic_open(tmp_path / "new.txt") as f:
            f.write("x")
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o640)
        with atomic_open(kept) as f:
            f.write("new")
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640
