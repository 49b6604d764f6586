# %% [markdown]
# # One digit, many draws
#
# One digit of the sample under eight random draws of each distortion of
# `nnscratch train --augment` (the strengths of `nnscratch.training.AUGMENTED`), alone and
# all together: shift, rotation, scale and shear (the affine maps), the elastic
# distortion, and everything at once. The [augmentation chapter](../augmentation.md)
# derives how each image is made: inverse mapping, bilinear interpolation, and a
# displacement field smoothed by a Gaussian.

# %%

import numpy as np

from nnscratch.augment import augment
from nnscratch.data import load_sample
from nnscratch.plots import plot_variants, show
from nnscratch.training import AUGMENTED

strengths = AUGMENTED.augment
print(strengths)

digits = load_sample()
digit = digits.X[:, [7]]                   # one column (784, 1): a 3
print("label:", digits.y[7])

# %% [markdown]
# Each kind alone keeps the other strengths at 0; the same digit is repeated in eight copies
# and every copy gets its own draw (one call of `augment` per row, a batch of eight).

# %%
DRAWS = 8
alone = strengths.one_at_a_time()    # each kind alone, the affine ones, all
batch = np.repeat(digit, DRAWS, axis=1)    # (784, 8)
rows = {"original": batch}
for i, (name, aug) in enumerate(alone.items()):
    rows[name] = augment(batch, aug, np.random.default_rng([0, i]))
for name, X in rows.items():
    print(f"{name:<9} pixels in [{X.min():.0f}, {X.max():.0f}]")

# %%
show(plot_variants(rows), name="augmentation-grid",
     alt=f"The digit {digits.y[7]} of the sample in eight copies per row: unchanged, then under "
         "random shifts, rotations, scalings, shears, elastic distortions, all affine maps "
         "together, and everything together. Every version is still clearly the same digit.")
