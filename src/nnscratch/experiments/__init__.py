"""Experiments run with the library, apart from it: the benchmark and the notebook's errata.

* :mod:`~nnscratch.experiments.bench`: ``nnscratch bench``, the trainer timed against
  PyTorch and scikit-learn;
* :mod:`~nnscratch.experiments.reproduction`: the Kaggle notebook's two networks, each of
  its mistakes a switch;
* :mod:`~nnscratch.experiments.errata`: every variant over several seeds, and the results
  file the errata chapter reads.

Each writes a JSON results file into ``docs/results/`` (:func:`results_path`), which the
book's pages read back. Nothing in the library imports this package.
"""

import json
import os
from pathlib import Path

from nnscratch.errors import opening
from nnscratch.files import atomic_open


def results_path(name: str) -> Path:
    """``docs/results/<name>`` of the source tree this package was installed from.

    >>> results_path("bench.json").parts[-3:]
    ('docs', 'results', 'bench.json')
    """
    return Path(__file__).resolve().parents[3] / "docs" / "results" / name


def load_json(path: str | os.PathLike) -> dict:
    """A results file, read back; a missing or unreadable one is an ``InputError``."""
    with opening(path, "results file"), open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path: str | os.PathLike, results: dict) -> None:
    """Write ``results`` to ``path`` atomically (see :mod:`nnscratch.files`), indented."""
    with atomic_open(path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
