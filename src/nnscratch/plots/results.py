"""The results pages' figures, drawn from the loaded results files (``docs/results/*.json``).

Each function takes a results file as loaded (a dict: see the experiment that writes it) and
draws what the page's table states: the effect of each errata fix
(:func:`plot_fix_effects`), the notebook's training curve beside the reproduction's
(:func:`plot_reproduction`), the benchmark's seconds per epoch (:func:`plot_bench`).
Nothing here computes a result; it only draws the numbers the file holds.
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

VERSION_COLOURS = {"v1": OKABE_ITO["blue"], "v2": OKABE_ITO["vermillion"]}


def _by_seed(results: Mapping, name: str, key: str) -> dict:
    runs = {r["seed"]: r[key] for r in results["runs"] if r["name"] == name}
    if not runs:
        raise ValueError(f"no runs named {name!r}")
    return runs


def _sd(values: np.ndarray) -> float:
    return float(values.std(ddof=1)) if values.size > 1 else 0.0


# --8<-- [start:plot_fix_effects]
def plot_fix_effects(results: Mapping, fixes: Sequence[str], key: str = "test_accuracy",
                     fig: Figure | None = None) -> Figure:
    """What each fix alone changes: ``key`` of the run ``fix`` minus that of the run
    ``"<version> as written"`` (the version is the name's first two letters), paired by
    seed, in percentage points. A bar is the mean over the seeds, its error bar ± the sample
    sd, and each seed's own difference is a dot.

    ``results`` holds ``"runs"``: dicts with ``name``, ``seed`` and ``key`` (a fraction).

    >>> runs = [{"name": n, "seed": s, "test_accuracy": a} for n, s, a in [
    ...     ("v1 as written", 0, 0.80), ("v1 as written", 1, 0.82),
    ...     ("v1 fix x", 1, 0.85), ("v1 fix x", 0, 0.84)]]
    >>> f = plot_fix_effects({"runs": runs}, ["v1 fix x"])
    >>> [round(float(p.get_width()), 1) for p in f.axes[0].patches]
    [3.5]
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(8, 0.45 * len(fixes) + 1.2))
    ax = fig.subplots()
    y = np.arange(len(fixes))[::-1]
    for row, name in zip(y, fixes, strict=True):
        base = _by_seed(results, f"{name[:2]} as written", key)
        fixed = _by_seed(results, name, key)
        if sorted(base) != sorted(fixed):
            raise ValueError(f"{name!r} and its as-written runs have different seeds")
        d = 100 * np.array([fixed[s] - base[s] for s in sorted(base)])
        colour = VERSION_COLOURS.get(name[:2], GREY)
        ax.barh(row, d.mean(), height=0.6, color=colour)
        ax.errorbar(d.mean(), row, xerr=_sd(d), color=GREY, capsize=4, lw=1.2)
        ax.plot(d, np.full(d.size, row), "o", markersize=3.5, markerfacecolor="none",
                markeredgecolor=GREY)
    ax.axvline(0, color=GREY, lw=1)
    ax.set_yticks(y, fixes)
    ax.set_xlabel(f"change in {key.replace('_', ' ')} from the version as written "
                  "(percentage points, paired by seed)")
    ax.grid(True, axis="x", color=GREY, alpha=0.25)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_fix_effects]


# --8<-- [start:plot_reproduction]
def plot_reproduction(notebook: Mapping, errata: Mapping, versions: Sequence[str] = ("v1", "v2"),
                      fig: Figure | None = None) -> Figure:
    """The train accuracy the loop prints against the iteration, one panel per version: the
    reproduction's runs ``"<version> as written"`` of ``errata`` (a line per seed, from their
    ``history``), the notebook's own printout where ``notebook[version]`` has a
    ``history``, and the figures the notebook states at its last iteration (``iterations``:
    ``train_accuracy`` and ``test_accuracy``) as marked points.

    >>> nb = {"v1": {"iterations": 20, "train_accuracy": 0.85, "test_accuracy": 0.84,
    ...              "history": [{"iteration": 0, "train_accuracy": 0.1}]}}
    >>> er = {"runs": [{"name": "v1 as written", "seed": 0, "history": [
    ...     {"iteration": i, "train_accuracy": 0.04 * i} for i in (0, 10, 20)]}]}
    >>> f = plot_reproduction(nb, er, versions=["v1"])
    >>> for line in f.axes[0].lines:
    ...     print(line.get_label())
    reproduction (seed 0)
    notebook's printout
    notebook: train, as stated
    notebook: test, as stated
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(4.6 * len(versions), 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(versions), sharey=True))
    for ax, version in zip(axes, versions, strict=True):
        runs = sorted((r for r in errata["runs"] if r["name"] == f"{version} as written"),
                      key=lambda r: r["seed"])
        for i, r in enumerate(runs):
            h = r["history"]
            ax.plot([e["iteration"] for e in h], [100 * e["train_accuracy"] for e in h],
                    color=OKABE_ITO["blue"], lw=1, label=f"reproduction (seed {r['seed']})"
                    if i == 0 else f"seed {r['seed']}", linestyle=["-", "--", ":"][i % 3])
        quoted = notebook[version]
        if quoted.get("history"):
            h = quoted["history"]
            ax.plot([e["iteration"] for e in h], [100 * e["train_accuracy"] for e in h],
                    color=OKABE_ITO["vermillion"], lw=2, marker="o", markersize=3,
                    label="notebook's printout")
        for what, marker, size in (("train", "D", 10), ("test", "s", 5)):
            if f"{what}_accuracy" in quoted:  # train hollow and larger: both show if equal
                ax.plot([quoted["iterations"]], [100 * quoted[f"{what}_accuracy"]], marker,
                        color=OKABE_ITO["vermillion"], markersize=size, linestyle="none",
                        markerfacecolor="none" if what == "train" else None, mew=2,
                        label=f"notebook: {what}, as stated")
        ax.set_title(f"version {version[1:]}")
        ax.set_xlabel("iteration")
        ax.grid(True, color=GREY, alpha=0.25)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("accuracy (%)")
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_reproduction]


# --8<-- [start:plot_bench]
def plot_bench(bench: Mapping, frameworks: Sequence[str] = ("nnscratch", "torch", "sklearn"),
               floor: str = "gemm", fig: Figure | None = None) -> Figure:
    """Seconds per epoch of each framework, grouped by thread count: a bar is the median of
    the rounds (``seconds_per_epoch``), a dot each round (``runs``), and a dashed line over
    each group the time of the matrix products alone (``floor``), where the file has it.

    ``bench["configurations"]`` holds ``{"threads": t, "results": {framework:
    {"seconds_per_epoch": s, "runs": [...]}}}``.

    >>> b = {"configurations": [{"threads": t, "results": {
    ...     "nnscratch": {"seconds_per_epoch": 0.6, "runs": [0.6, 0.7]},
    ...     "gemm": {"seconds_per_epoch": 0.3, "runs": [0.3]}}} for t in (1, 2)]}
    >>> f = plot_bench(b, frameworks=["nnscratch"])
    >>> [round(float(p.get_height()), 1) for p in f.axes[0].patches]
    [0.6, 0.6]
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(8, 3.6))
    ax = fig.subplots()
    colours = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "orange")]
    width = 0.8 / len(frameworks)
    for g, config in enumerate(bench["configurations"]):
        results = config["results"]
        for j, (name, colour) in enumerate(zip(frameworks, colours, strict=False)):
            if name not in results:
                continue
            x = g + (j - (len(frameworks) - 1) / 2) * width
            ax.bar(x, results[name]["seconds_per_epoch"], width * 0.9, color=colour,
                   label=name if g == 0 else None)
            runs = results[name].get("runs", [])
            ax.plot([x] * len(runs), runs, "o", markersize=3.5, markerfacecolor="none",
                    markeredgecolor=GREY, label="each round" if g == 0 and j == 0 else None)
        if floor in results:
            ax.hlines(results[floor]["seconds_per_epoch"], g - 0.45, g + 0.45, colors=GREY,
                      linestyles="--", lw=1.5,
                      label="matrix products only (floor)" if g == 0 else None)
    ax.set_xticks(range(len(bench["configurations"])),
                  [f"{c['threads']} thread{'s' if c['threads'] != 1 else ''}"
                   for c in bench["configurations"]])
    ax.set_ylabel("seconds per epoch")
    ax.set_ylim(0, None)
    ax.grid(True, axis="y", color=GREY, alpha=0.25)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_bench]


# --8<-- [start:plot_accuracies]
def plot_accuracies(results: Mapping, names: Sequence[str], reference: str | None = None,
                    key: str = "test_accuracy", fig: Figure | None = None) -> Figure:
    """``key`` of each configuration in ``names`` as a horizontal bar: the mean over its runs
    (in percent), with ± the sample sd as an error bar; coloured by version (the name's first
    two letters), and a vertical line at the mean of ``reference``.

    >>> runs = [{"name": n, "seed": s, "test_accuracy": a} for n, s, a in [
    ...     ("v1 a", 0, 0.80), ("v1 a", 1, 0.90), ("modern", 0, 0.95)]]
    >>> f = plot_accuracies({"runs": runs}, ["v1 a", "modern"], reference="v1 a")
    >>> [round(float(p.get_width()), 1) for p in f.axes[0].patches]
    [85.0, 95.0]
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(8, 0.32 * len(names) + 1))
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    means = {}
    for row, name in zip(y, names, strict=True):
        values = 100 * np.array(list(_by_seed(results, name, key).values()))
        means[name] = values.mean()
        ax.barh(row, values.mean(), height=0.7,
                color=VERSION_COLOURS.get(name[:2], OKABE_ITO["bluish_green"]))
        ax.errorbar(values.mean(), row, xerr=_sd(values), color=GREY, capsize=3, lw=1.2)
    if reference is not None:
        ax.axvline(means[reference], color=GREY, lw=1)
    ax.set_yticks(y, names)
    ax.set_xlabel(f"{key.replace('_', ' ')} (%)")
    ax.set_xlim(0, 100)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_accuracies]


# --8<-- [start:plot_run_curves]
def plot_run_curves(results: Mapping, panels: Mapping[str, Sequence[str]], seed: int = 0,
                    key: str = "test_accuracy", fig: Figure | None = None) -> Figure:
    """``key`` against the iteration for the run of ``seed`` of each named configuration, one
    panel per entry of ``panels`` (title -> configuration names), from the runs' ``history``.

    >>> runs = [{"name": n, "seed": 0, "history": [
    ...     {"iteration": i, "test_accuracy": a * i} for i in (0, 10)]}
    ...     for n, a in (("v1 x", 0.05), ("v1 y", 0.08))]
    >>> f = plot_run_curves({"runs": runs}, {"version 1": ["v1 x", "v1 y"]})
    >>> [line.get_label() for line in f.axes[0].lines]
    ['v1 x', 'v1 y']
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(4.5 * len(panels), 3.2))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    styles = [(OKABE_ITO["vermillion"], "-"), (OKABE_ITO["blue"], "--"),
              (OKABE_ITO["bluish_green"], ":")]
    for ax, (title, names) in zip(axes, panels.items(), strict=True):
        for name, (colour, style) in zip(names, styles * len(names), strict=False):
            run = next((r for r in results["runs"] if r["name"] == name and r["seed"] == seed),
                       None)
            if run is None:
                raise ValueError(f"no run {name!r} with seed {seed}")
            h = run["history"]
            ax.plot([e["iteration"] for e in h], [100 * e[key] for e in h], style,
                    color=colour, label=name)
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.grid(True, color=GREY, alpha=0.25)
        ax.legend(frameon=False)
    axes[0].set_ylabel(f"{key.replace('_', ' ')} (%)")
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_run_curves]
