"""nnscratch.export: a model as the text of a JavaScript file, and back."""

import base64
import json
import math

import numpy as np
import pytest

from nnscratch.export import FORMAT, model_from_js, model_to_js
from nnscratch.initialization import he_init


def _params(sizes, seed=0, dtype=np.float32):
    return he_init(sizes, np.random.default_rng(seed), dtype=dtype)


def _object(js: str) -> dict:
    """The JSON object that the file assigns (everything between the first '{' and ';')."""
    body = js.split("\n", 1)[1]
    return json.loads(body[body.index("{"):body.rindex(";")])


@pytest.mark.parametrize("sizes", [[784, 256, 128, 10], [3, 2], [5, 4, 3, 2, 1]])
def test_round_trip_is_exact(sizes):
    params = _params(sizes)
    back, model = model_from_js(model_to_js(params, {"activation": "leaky_relu", "alpha": 0.2}))
    assert list(back) == list(params)
    for k in params:
        assert back[k].dtype == np.float32 and back[k].shape == params[k].shape
        assert np.array_equal(back[k], params[k])
    assert model["format"] == FORMAT and model["layer_sizes"] == sizes
    assert (model["activation"], model["alpha"]) == ("leaky_relu", 0.2)


def test_float64_is_exported_as_float32():
    params = _params([4, 3], dtype=np.float64)
    params["W1"][0, 0] = 0.1                     # not a float32 number
    back, _ = model_from_js(model_to_js(params, {}))
    assert back["W1"][0, 0] == np.float32(0.1) and back["W1"].dtype == np.float32


def test_layout_is_row_major_little_endian_base64():
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    obj = _object(model_to_js({"W1": W, "b1": np.zeros((2, 1))}, {}))
    raw = base64.b64decode(obj["arrays"]["W1"]["base64"])
    assert raw == W.astype("<f4").tobytes()                     # C order: W[0, :] first
    assert np.frombuffer(raw, "<f4")[3] == W[1, 0]
    assert obj["arrays"]["W1"]["shape"] == [2, 3]
    # 4 bytes per value, base64 adds a third (rounded up to whole 4-character groups).
    assert len(obj["arrays"]["W1"]["base64"]) == 4 * math.ceil(6 * 4 / 3)


def test_output_is_deterministic_and_keeps_meta():
    params = _params([6, 5, 4])
    meta = {"activation": "relu", "model_file": "m.npz", "layer_sizes": [6, 5, 4]}
    a, b = model_to_js(params, meta), model_to_js({k: v.copy() for k, v in params.items()}, meta)
    assert a == b
    assert _object(a)["meta"] == meta
    assert a.startswith("// A 6-5-4 network (relu)") and a.endswith(";\n")
    assert a.splitlines()[1].startswith("window.nnscratchModel = {")


def test_defaults_and_name():
    js = model_to_js(_params([2, 2]), {}, name="digitPadModel")
    _, model = model_from_js(js)
    assert (model["activation"], model["alpha"]) == ("relu", 0.01)
    assert js.splitlines()[1].startswith("window.digitPadModel = ")


def test_text_is_safe_inside_an_inline_script():
    js = model_to_js(_params([2, 2]), {"note": "</script><script>alert(1)</script>"})
    assert "</" not in js
    assert model_from_js(js)[1]["meta"]["note"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize("params, message", [
    ({}, "expected arrays W1, b1"),
    ({"W1": np.zeros((2, 3))}, "expected arrays W1, b1"),
    ({"W1": np.zeros((2, 3)), "b1": np.zeros((3, 1))}, "do not follow"),
    ({"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)),
      "W2": np.zeros((4, 3)), "b2": np.zeros((4, 1))}, "do not follow"),
    ({"W1": np.zeros(3), "b1": np.zeros((3, 1))}, "do not follow"),
    ({"W1": np.zeros(()), "b1": np.zeros((1, 1))}, "do not follow"),
])
def test_bad_params_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        model_to_js(params, {})


def test_bad_name_and_meta_are_refused():
    with pytest.raises(ValueError, match="identifier"):
        model_to_js(_params([2, 2]), {}, name="window.x; alert(1)")
    with pytest.raises(ValueError):
        model_to_js(_params([2, 2]), {"accuracy": float("nan")})  # not JSON
    with pytest.raises(TypeError):
        model_to_js(_params([2, 2]), {"path": object()})


@pytest.mark.parametrize("text", [
    "", "window.x = 1;", "// comment only\n",
    'window.m = {"format":"something-else","arrays":{}};\n',
    "alert(1); window.m = {};",
])
def test_other_text_is_not_read_as_a_model(text):
    with pytest.raises(ValueError):
        model_from_js(text)
