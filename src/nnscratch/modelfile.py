"""Model files: one ``.npz`` with the parameter arrays and a JSON metadata string.

The file holds ``W1, b1, ..., WL, bL`` as plain arrays and ``meta``, a 0-d unicode array
with a JSON object: layer sizes, activation, data scaling, library version, where the
training data came from (path and SHA-256, split seed and test fraction), the training
configuration, whether training completed, and for every array its shape, dtype and the
SHA-256 of its C-order bytes. It is read with ``allow_pickle=False`` (a model file from
someone else can never run code), and every array is checked against the metadata, so an
edited, truncated or mismatched file is refused instead of silently misbehaving.

Writes are atomic: the file is written under a temporary name in the same folder and
renamed over the target, so a crash leaves the old file or the new one, never half of one.
"""

# --8<-- [start:imports]
import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from nnscratch import __version__
from nnscratch.errors import InputError
from nnscratch.files import atomic_open

FORMAT = "nnscratch-model"
FORMAT_VERSION = 1
# --8<-- [end:imports]


# --8<-- [start:digest]
def array_digest(a: np.ndarray) -> str:
    """SHA-256 of the array's C-order bytes.

    >>> array_digest(np.zeros(2, dtype=np.uint8))[:16]
    '96a296d224f285c6'
    """
    return hashlib.sha256(np.asarray(a, order="C").tobytes()).hexdigest()
# --8<-- [end:digest]


# --8<-- [start:save]
def save_model(
    path: str | os.PathLike, params: dict[str, np.ndarray], meta: dict,
    state: dict[str, np.ndarray] | None = None,
) -> None:
    """Write ``params`` and ``meta`` to ``path`` atomically (see the module docstring).

    ``state`` holds extra arrays needed to resume training (the optimizer's running
    averages); they are stored as ``state/<name>`` and checked like the parameters.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> params = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    >>> save_model(d / "m.npz", params, {"activation": "relu"})
    >>> params, meta = load_model(d / "m.npz")
    >>> params["W1"].shape, meta["activation"], meta["layer_sizes"]
    ((2, 3), 'relu', [3, 2])
    """
    path = Path(path)
    state = {f"state/{k}": np.asarray(v) for k, v in (state or {}).items()}
    L = len(params) // 2
    meta = {
        **meta,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "layer_sizes": [int(params["W1"].shape[1])]
        + [int(params[f"W{l}"].shape[0]) for l in range(1, L + 1)],
        "arrays": {
            k: {"shape": list(v.shape), "dtype": str(v.dtype), "sha256": array_digest(v)}
            for k, v in {**params, **state}.items()
        },
    }
    arrays = {k: np.asarray(v, order="C") for k, v in {**params, **state}.items()}
    with atomic_open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
# --8<-- [end:save]


# --8<-- [start:load]
def load_model(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read a model file; return ``(params, meta)`` or raise ``InputError`` saying what is wrong."""
    params, meta, _ = load_checkpoint(path)
    return params, meta


def load_checkpoint(
    path: str | os.PathLike,
) -> tuple[dict[str, np.ndarray], dict, dict[str, np.ndarray]]:
    """Like :func:`load_model`, and also return the saved training state (may be empty)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = set(npz.files)
            if "meta" not in names:
                raise InputError(path, "not an nnscratch model file (no metadata)")
            meta = json.loads(str(npz["meta"]))
            if meta.get("format") != FORMAT:
                raise InputError(path, "not an nnscratch model file")
            if meta.get("format_version", 0) > FORMAT_VERSION:
                raise InputError(path, "made by a newer nnscratch; upgrade to read it")
            expected = meta.get("arrays", {})
            if set(expected) != names - {"meta"}:
                raise InputError(path, "its arrays do not match its metadata")
            arrays = {k: npz[k] for k in expected}
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a model file") from None
    except InputError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, json.JSONDecodeError, KeyError) as e:
        raise InputError(path, f"not a readable model file ({type(e).__name__})") from None
    for k, a in arrays.items():
        want = expected[k]
        if list(a.shape) != want["shape"] or str(a.dtype) != want["dtype"]:
            raise InputError(path, f"array {k} has shape {a.shape} {a.dtype}, "
                                   f"metadata says {tuple(want['shape'])} {want['dtype']}")
        if array_digest(a) != want["sha256"]:
            raise InputError(path, f"array {k} does not match its checksum (edited or corrupt)")
    state = {k.removeprefix("state/"): a for k, a in arrays.items() if k.startswith("state/")}
    params = {k: a for k, a in arrays.items() if not k.startswith("state/")}
    _check_architecture(path, params)
    in_order = sorted(params.items(), key=lambda kv: (int(kv[0][1:]), kv[0][0] == "b"))
    return dict(in_order), meta, state
# --8<-- [end:load]


# --8<-- [start:architecture]
def _check_architecture(path: str | os.PathLike, params: dict[str, np.ndarray]) -> None:
    L = len(params) // 2
    if not all(k[:1] in "Wb" and k[1:].isdigit() for k in params):
        raise InputError(path, "expected arrays W1, b1, ..., WL, bL")
    if L == 0 or set(params) != {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}:
        raise InputError(path, "expected arrays W1, b1, ..., WL, bL")
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        if W.ndim != 2 or b.shape != (W.shape[0], 1):
            raise InputError(path, f"W{l} {W.shape} and b{l} {b.shape} do not fit together")
        if l > 1 and W.shape[1] != params[f"W{l - 1}"].shape[0]:
            raise InputError(path, f"W{l} does not take the output of layer {l - 1}")
# --8<-- [end:architecture]
