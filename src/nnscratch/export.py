"""Exporting a model for a web page: its parameters as float32 values in a JavaScript file.

:func:`model_to_js` turns ``params`` (``W1, b1, ..., WL, bL``, as a model file holds them)
and a small JSON-able ``meta`` into the text of a ``.js`` file that a page loads with
``<script src>``. Nothing is fetched, so the page works from any static host and from
``file://``. The file assigns one object to ``window.<name>`` (``window.nnscratchModel``):

.. code-block:: text

    {"format": "nnscratch-js-model", "format_version": 1,
     "layer_sizes": [784, 256, 128, 10], "activation": "relu", "alpha": 0.01,
     "meta": {...},
     "arrays": {"W1": {"shape": [256, 784], "base64": "..."}, "b1": {...}, ...}}

Every array is stored as its C-order (row-major: ``W[j, k]`` at ``j * n_in + k``)
little-endian float32 bytes, base64-encoded, which is 4/3 of the raw size; a page decodes it
with ``atob`` and a ``Float32Array``. :func:`model_from_js` reads such a file back.
"""

import base64
import json
import re

import numpy as np

FORMAT = "nnscratch-js-model"
FORMAT_VERSION = 1
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_PREFIX = "window.{name} = "
_ASSIGNMENT = re.compile(r"^window\.[A-Za-z_$][A-Za-z0-9_$]* = (?P<json>\{.*\});\s*\Z", re.M | re.S)


def _check_params(params: dict[str, np.ndarray]) -> list[int]:
    """The layer sizes ``[n_0, ..., n_L]`` of ``params``; ``ValueError`` if they do not fit."""
    L = len(params) // 2
    if L == 0 or set(params) != {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}:
        raise ValueError(f"expected arrays W1, b1, ..., WL, bL, got {sorted(params)}")
    sizes = [int((np.shape(params["W1"]) or (0,))[-1])]
    for l in range(1, L + 1):
        W, b = np.shape(params[f"W{l}"]), np.shape(params[f"b{l}"])
        if len(W) != 2 or W[1] != sizes[-1] or b != (W[0], 1):
            raise ValueError(f"W{l} {W} and b{l} {b} do not follow layer {l - 1}")
        sizes.append(int(W[0]))
    return sizes


def model_to_js(params: dict[str, np.ndarray], meta: dict, name: str = "nnscratchModel") -> str:
    """The text of a ``.js`` file that sets ``window.<name>`` to the model (module docstring).

    ``meta`` must be JSON-able; its ``activation`` (default ``"relu"``) and ``alpha``
    (default ``0.01``) are copied to the top level, where a page looks for them. The arrays
    are converted to float32. The result depends only on the arguments (no time stamp), so
    the same model always gives the same file.

    >>> params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}   # a 2-1 network
    >>> js = model_to_js(params, {"activation": "relu"})
    >>> print(js.splitlines()[0])
    // A 2-1 network (relu) exported by nnscratch.export.model_to_js: float32, base64.
    >>> js.splitlines()[1][:60]
    'window.nnscratchModel = {"format":"nnscratch-js-model","form'
    >>> model_from_js(js)[0]["W1"]
    array([[ 1., -2.]], dtype=float32)
    """
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a JavaScript identifier: {name!r}")
    sizes = _check_params(params)
    arrays = {}
    for key, a in params.items():
        a32 = np.ascontiguousarray(a, dtype="<f4")
        arrays[key] = {"shape": list(a32.shape),
                       "base64": base64.b64encode(a32.tobytes()).decode("ascii")}
    model = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "layer_sizes": sizes,
        "activation": meta.get("activation", "relu"), "alpha": meta.get("alpha", 0.01),
        "meta": meta, "arrays": arrays,
    }
    # JSON is a JavaScript expression; "<\/" keeps the text safe inside an inline <script>.
    text = json.dumps(model, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    shown = "-".join(str(n) for n in sizes)
    return (f"// A {shown} network ({model['activation']}) exported by "
            f"nnscratch.export.model_to_js: float32, base64.\n"
            + _PREFIX.format(name=name) + text + ";\n")


def model_from_js(text: str) -> tuple[dict[str, np.ndarray], dict]:
    """Read the text written by :func:`model_to_js`: ``(params, model)``.

    ``params`` holds float32 arrays with their shapes; ``model`` is the whole object
    (``layer_sizes``, ``activation``, ``alpha``, ``meta``, the arrays as base64).

    >>> js = model_to_js({"W1": np.eye(2), "b1": np.ones((2, 1))}, {"alpha": 0.1})
    >>> params, model = model_from_js(js)
    >>> params["b1"].ravel(), model["layer_sizes"], model["activation"], model["alpha"]
    (array([1., 1.], dtype=float32), [2, 2], 'relu', 0.1)
    """
    match = _ASSIGNMENT.search(text)
    if match is None:
        raise ValueError("not a model exported by nnscratch.export.model_to_js")
    model = json.loads(match["json"])
    if model.get("format") != FORMAT:
        raise ValueError("not a model exported by nnscratch.export.model_to_js")
    params = {
        key: np.frombuffer(base64.b64decode(entry["base64"]), dtype="<f4")
        .astype(np.float32).reshape(entry["shape"])
        for key, entry in model["arrays"].items()
    }
    return params, model
