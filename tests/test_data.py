"""Tests for nnscratch.data itself: ``load()`` picks the reader, and the ``Dataset`` it returns."""

import numpy as np
import pytest

from nnscratch.data import Dataset, download, load
from tests.conftest import csv_text, make_rows, raises_input_error, write, write_idx_folder


def test_dataset_is_frozen_and_repr_is_short():
    d = Dataset(np.zeros((784, 1), np.float32), None, "x.csv", "a" * 64)
    with pytest.raises(AttributeError):
        d.source = "y"
    assert "y=None" in repr(d) and len(repr(d)) < 120


# ------------------------------------------------------------------ load()


def test_load_dispatch(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path / "cache"))
    assert load(None).source == "sample"
    assert load("sample").source == "sample"
    pixels, labels = make_rows(1)
    csv = write(tmp_path, csv_text(pixels, labels))
    assert load(csv).m == 1 and load(str(csv)).m == 1
    with raises_input_error("mnist", r"not downloaded yet; run `nnscratch download mnist`"):
        load("mnist")
    with raises_input_error("Fashion-MNIST", r"nnscratch download fashion-mnist"):
        load("Fashion-MNIST")
    with raises_input_error("nonsense", "no such file or directory"):
        load("nonsense")


def test_load_downloaded_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path))
    folder = tmp_path / "mnist"
    folder.mkdir()
    tr = write_idx_folder(folder, "train", n=2, gz=True)
    write_idx_folder(folder, "t10k", n=1, gz=True)
    assert download.is_downloaded("mnist")
    d = load("mnist")
    assert d.source == "mnist"
    np.testing.assert_array_equal(d.y, tr.labels)
    assert load("mnist", part="test").m == 1


def test_existing_path_wins_over_dataset_name(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mnist").mkdir()
    tr = write_idx_folder(tmp_path / "mnist", "train", n=2)
    d = load("mnist")
    assert d.source == "mnist"
    np.testing.assert_array_equal(d.y, tr.labels)
    pixels, labels = make_rows(1)
    write(tmp_path, csv_text(pixels, labels), "sample")
    assert load("sample").m == 1  # a file named "sample" here beats the packaged sample
