"""Model files that cannot lie: round trip, checksums, architecture checks, atomic writes."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnscratch import modelfile
from nnscratch.errors import InputError
from nnscratch.modelfile import load_checkpoint, load_model, save_model


def params_784_4_10(dtype=np.float32) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"W1": rng.standard_normal((4, 784)).astype(dtype), "b1": np.zeros((4, 1), dtype),
            "W2": rng.standard_normal((10, 4)).astype(dtype), "b2": np.ones((10, 1), dtype)}


def rewrite(src: Path, dst: Path, change) -> Path:
    """Copy a model file, letting ``change(arrays, meta)`` edit it on the way."""
    with np.load(src, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "meta"}
        meta = json.loads(str(npz["meta"]))
    change(arrays, meta)
    np.savez(dst, meta=np.array(json.dumps(meta)), **arrays)
    return dst


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "m.npz"
    save_model(path, params_784_4_10(), {"activation": "relu"},
               state={"t": np.array(3), "m_W1": np.zeros((4, 784), np.float32)})
    return path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, dtype):
    params = params_784_4_10(dtype)
    save_model(tmp_path / "m.npz", params, {"activation": "leaky_relu", "alpha": 0.01})
    loaded, meta = load_model(tmp_path / "m.npz")
    assert list(loaded) == ["W1", "b1", "W2", "b2"]
    for k in params:
        assert loaded[k].dtype == dtype
        np.testing.assert_array_equal(loaded[k], params[k])
    assert meta["layer_sizes"] == [784, 4, 10]
    assert meta["arrays"]["W1"] == {"shape": [4, 784], "dtype": np.dtype(dtype).name,
                                    "sha256": modelfile.array_digest(params["W1"])}


def test_state_round_trip(saved):
    params, meta, state = load_checkpoint(saved)
    assert int(state["t"]) == 3 and state["t"].shape == ()
    assert state["m_W1"].shape == (4, 784)
    assert set(params) == {"W1", "b1", "W2", "b2"}


def test_edited_array_is_refused(saved, tmp_path):
    def edit(arrays, meta):
        arrays["b2"] = arrays["b2"] * 2
    bad = rewrite(saved, tmp_path / "edited.npz", edit)
    with pytest.raises(InputError, match="b2 does not match its checksum"):
        load_model(bad)


def test_array_shape_differs_from_metadata(saved, tmp_path):
    def edit(arrays, meta):
        arrays["W2"] = arrays["W2"][:, :3]
    with pytest.raises(InputError, match="W2 has shape"):
        load_model(rewrite(saved, tmp_path / "shape.npz", edit))


def test_different_architecture_is_refused(saved, tmp_path):
    def edit(arrays, meta):
        arrays["W2"] = np.zeros((10, 5), np.float32)   # takes 5 inputs, layer 1 gives 4
        meta["arrays"]["W2"] = {"shape": [10, 5], "dtype": "float32",
                                "sha256": modelfile.array_digest(arrays["W2"])}
    with pytest.raises(InputError, match="W2 does not take the output of layer 1"):
        load_model(rewrite(saved, tmp_path / "arch.npz", edit))


def test_missing_and_extra_arrays_are_refused(saved, tmp_path):
    def drop(arrays, meta):
        del arrays["b1"]
    with pytest.raises(InputError, match="do not match its metadata"):
        load_model(rewrite(saved, tmp_path / "drop.npz", drop))

    def extra(arrays, meta):
        arrays["X"] = np.zeros(1)
        meta["arrays"]["X"] = {"shape": [1], "dtype": "float64",
                               "sha256": modelfile.array_digest(arrays["X"])}
    with pytest.raises(InputError, match="expected arrays W1, b1"):
        load_model(rewrite(saved, tmp_path / "extra.npz", extra))


def test_a_pickled_object_array_is_never_loaded(tmp_path):
    """An .npz holding a pickled object must be refused, not unpickled (it could run code)."""
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array(json.dumps({"format": "nnscratch-model", "arrays": {
        "W1": {"shape": [1], "dtype": "object", "sha256": ""}}})),
        W1=np.array([{"pickled": True}], dtype=object))
    with pytest.raises(InputError, match="not a readable model file"):
        load_model(path)


def test_foreign_npz_and_truncated_files(saved, tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, W1=np.zeros((2, 2)))
    with pytest.raises(InputError, match="no metadata"):
        load_model(foreign)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(InputError):
        load_model(cut)
    assert zipfile.is_zipfile(saved)


def test_newer_format_is_refused(saved, tmp_path):
    def edit(arrays, meta):
        meta["format_version"] = 99
    with pytest.raises(InputError, match="newer nnscratch"):
        load_model(rewrite(saved, tmp_path / "new.npz", edit))


def test_a_failed_write_leaves_the_old_file_and_no_temporary(saved, tmp_path, monkeypatch):
    before = saved.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(modelfile.np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        save_model(saved, params_784_4_10(), {"activation": "relu"})
    assert saved.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


# ---------------------------------------------------------------------------------------
# Property: whatever happens to the bytes, loading gives the saved arrays or an InputError.
# ---------------------------------------------------------------------------------------


_SMALL = {"W1": np.arange(6, dtype=np.float32).reshape(2, 3), "b1": np.ones((2, 1), np.float32)}


def _small_model_bytes(tmp: Path) -> bytes:
    save_model(tmp / "small.npz", _SMALL, {"activation": "relu"})
    return (tmp / "small.npz").read_bytes()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_model_files_load_correctly_or_raise_input_error(tmp_path, data):
    good = _small_model_bytes(tmp_path)
    kind = data.draw(st.sampled_from(["truncate", "flip", "garbage", "append"]))
    if kind == "truncate":
        damaged = good[: data.draw(st.integers(0, len(good) - 1))]
    elif kind == "flip":
        i = data.draw(st.integers(0, len(good) - 1))
        damaged = good[:i] + bytes([good[i] ^ data.draw(st.integers(1, 255))]) + good[i + 1:]
    elif kind == "garbage":
        damaged = data.draw(st.binary(max_size=2000))
    else:
        damaged = good + data.draw(st.binary(min_size=1, max_size=100))
    path = tmp_path / "damaged.npz"
    path.write_bytes(damaged)
    try:
        params, _ = load_model(path)
    except InputError as e:
        assert str(path) in str(e)
        return
    for k, v in _SMALL.items():   # it loaded: then it must be exactly what was saved
        np.testing.assert_array_equal(params[k], v)
