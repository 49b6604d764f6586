"""The augmentation chapter's figures: inverse mapping, one digit under each distortion, and
what each kind of distortion bought on validation data (``docs/results/augmentation.json``)."""

import json
from pathlib import Path

import numpy as np

from nnscratch.augment import affine_sources, augment, bilinear_sample
from nnscratch.data import load_sample
from nnscratch.plots import plot_gains, plot_inverse_mapping, plot_variants
from nnscratch.training import AUGMENTED

RESULTS = Path(__file__).resolve().parents[1] / "results" / "augmentation.json"
DIGIT = 7  # column 7 of the sample: a 3


def inverse_mapping():
    """One digit under a rotation by 20°, a shear of 0.2, a zoom by 1.1 and a shift."""
    image = load_sample().X[:, DIGIT].reshape(1, 28, 28)
    theta, s, k = np.deg2rad(20.0), 0.2, 1.1
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    A = (k * R @ np.array([[1.0, 0.0], [s, 1.0]]))[None]          # A = k R(θ) H(s)
    rows, cols = affine_sources(A, np.array([[1.0, -1.5]]))
    output = bilinear_sample(image, rows, cols)
    return plot_inverse_mapping(image[0], rows[0], cols[0], output[0])


def variants():
    """The digit under six draws of each distortion of ``nnscratch train --augment``."""
    strengths = AUGMENTED.augment
    alone = {name: aug for name, aug in strengths.one_at_a_time().items() if name != "affine"}
    batch = np.repeat(load_sample().X[:, [DIGIT]], 6, axis=1)      # (784, 6)
    rows = {"original": batch}
    for i, (name, aug) in enumerate(alone.items()):
        rows[name] = augment(batch, aug, np.random.default_rng([0, i]))
    return plot_variants(rows)


def kinds_gains():
    """Validation accuracy gained over no augmentation, paired by seed, for each kind."""
    kinds = json.loads(RESULTS.read_text(encoding="utf-8"))["kinds"]["kinds"]
    base = {r["seed"]: r["val_accuracy"] for r in kinds[0]["runs"]}
    gains = {e["name"]: [r["val_accuracy"] - base[r["seed"]] for r in e["runs"]]
             for e in kinds[1:]}
    return plot_gains(gains, "validation accuracy gained over no augmentation (points)")


FIGURES = {
    "augmentation-inverse-mapping": inverse_mapping,
    "augmentation-variants": variants,
    "augmentation-kinds-gains": kinds_gains,
}

