"""The errata chapter's figure: what each fix alone changes, from ``docs/results/errata.json``."""

from nnscratch.experiments.errata import load_results
from nnscratch.plots import plot_fix_effects

FIXES = [
    "v1 fix m_whole_file", "v1 fix scalar_bias_grad", "v1 fix uniform_init",
    "v1 fix naive_softmax", "v1 all fixes",
    "v2 fix m_whole_file", "v2 fix scalar_bias_grad", "v2 fix wrong_fan_in", "v2 all fixes",
]
"""The runs drawn, each against its version as written (every run of the file named
``fix`` or ``all fixes``; the two reporting fixes have no runs of their own)."""


def fix_effects():
    return plot_fix_effects(load_results(), FIXES)


FIGURES = {"errata-fix-effects": fix_effects}
