"""Validation data: the three-way split, ``nnscratch train --val-fraction`` and ``--keep``,
``--augment``'s defaults, and what the model file records about them."""

import numpy as np
import pytest

from nnscratch import cli, training
from nnscratch.augment import Augmentation
from nnscratch.data import load_sample, train_test_split
from nnscratch.data.split import train_val_test_split
from nnscratch.modelfile import load_checkpoint, load_model
from nnscratch.network import forward
from nnscratch.training import AUGMENTED, KeepBest, TrainConfig, better, train
from tests.conftest import ctrl_c_after_epoch

TINY = ["--layers", "8", "--quiet", "--threads", "1"]


# --------------------------------------------------------------- the split


@pytest.mark.parametrize("val_fraction", [0.0, 0.1, 0.25, 0.5])
def test_three_way_split_partitions_and_keeps_the_test_part(val_fraction):
    X, y = np.arange(3 * 40).reshape(3, 40), np.arange(40)
    X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(X, y, 0.3, val_fraction, 4)
    assert sorted([*y_tr, *y_va, *y_te]) == list(range(40))        # each column once
    np.testing.assert_array_equal(X_te[0], 3 * 0 + y_te)           # columns keep labels
    np.testing.assert_array_equal(X_va[0], y_va)
    _, y_tr2, _, y_te2 = train_test_split(X, y, 0.3, 4)
    np.testing.assert_array_equal(y_te, y_te2)                     # same test digits
    np.testing.assert_array_equal(np.concatenate([y_va, y_tr]), y_tr2)
    assert y_va.size == round(val_fraction * 28)


def test_three_way_split_is_deterministic_and_refuses_bad_fractions():
    X, y = np.zeros((2, 10)), np.arange(10)
    a = train_val_test_split(X, y, 0.2, 0.25, 1)
    b = train_val_test_split(X, y, 0.2, 0.25, 1)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert train_val_test_split(X, None, 0.2, 0.25)[3] is None
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_test_split(X, y, 0.2, 1.0)


# --------------------------------------------------------------- train(): validation, best


def test_train_records_validation_and_keep_best_picks_the_best_epoch():
    d = load_sample()
    X_tr, y_tr, X_va, y_va, _, _ = train_val_test_split(d.X[:, :1500], d.y[:1500], 0.3, 0.3)
    best = KeepBest()
    result = train(X_tr, y_tr, TrainConfig(hidden=(8,), epochs=6, lr=0.01), X_val=X_va,
                   y_val=y_va, callback=best, progress=False)
    assert all({"val_loss", "val_accuracy"} <= set(r) for r in result.history)
    top = max(result.history, key=lambda r: (r["val_accuracy"], -r["val_loss"]))
    assert best.record["epoch"] == top["epoch"]
    AL, _ = forward(best.params, X_va)
    assert float(np.mean(AL.argmax(0) == y_va)) == top["val_accuracy"]
    assert "val_accuracy" not in train(X_tr, y_tr, TrainConfig(hidden=(4,), epochs=1),
                                       progress=False).history[0]


def test_better_needs_validation_records():
    assert better({"val_accuracy": 0.5, "val_loss": 1.0}, None)
    assert not better({"val_accuracy": 0.5, "val_loss": 1.0},
                      {"val_accuracy": 0.5, "val_loss": 0.9})
    with pytest.raises(ValueError, match="validation"):
        better({"loss": 1.0}, None)


# --------------------------------------------------------------- the command line


def test_val_fraction_never_lets_a_validation_digit_into_training(tmp_path, monkeypatch):
    seen = {}
    real = cli.train

    def spy(X, y, config, **kw):
        seen.update(X=X.copy(), X_val=kw["X_val"].copy(), X_test=kw["X_test"])
        return real(X, y, config, **kw)

    monkeypatch.setattr(cli, "train", spy)
    out = tmp_path / "m.npz"
    assert cli.main(["train", *TINY, "--epochs", "1", "--val-fraction", "0.2",
                     "--out", str(out)]) == 0
    X = load_sample().X
    ids = {col.tobytes(): i for i, col in enumerate(X.T)}          # the sample's digits
    train_ids = {ids[c.tobytes()] for c in seen["X"].T}
    val_ids = {ids[c.tobytes()] for c in seen["X_val"].T}
    _, _, X_test, _ = train_test_split(X, load_sample().y, 0.3, 0)
    test_ids = {ids[c.tobytes()] for c in X_test.T}
    assert len(val_ids) == 1400 and len(train_ids) == 5600
    assert not train_ids & val_ids and not (train_ids | val_ids) & test_ids
    assert seen["X_test"] is None                    # the test part waits for the end
    meta = load_model(out)[1]
    assert meta["data"]["val_fraction"] == 0.2 and meta["data"]["n_val"] == 1400
    assert meta["data"]["n_test"] == 3000 and meta["keep"] == "best"


def test_keep_best_saves_the_best_epoch_and_scores_the_test_part_once(tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert cli.main(["train", *TINY, "--epochs", "4", "--lr", "0.02", "--val-fraction", "0.2",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    params, meta = load_model(out)
    history = meta["history"]
    top = max(history, key=lambda r: (r["val_accuracy"], -r["val_loss"]))
    assert meta["best_epoch"] == top["epoch"] and meta["final"]["epoch"] == top["epoch"]
    assert all(np.isnan(r["test_accuracy"]) for r in history)       # never during training
    d = load_sample()
    _, _, X_va, y_va, X_te, y_te = train_val_test_split(d.X, d.y, 0.3, 0.2, 0)
    AL, _ = forward(params, X_va)
    assert float(np.mean(AL.argmax(0) == y_va)) == top["val_accuracy"]
    AL, _ = forward(params, X_te)
    assert float(np.mean(AL.argmax(0) == y_te)) == meta["final"]["test_accuracy"]
    assert f"kept epoch {top['epoch']}: best" in printed
    assert f"test accuracy: {meta['final']['test_accuracy']:.4f}" in printed


def test_keep_last_and_keep_best_without_validation(tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert cli.main(["train", *TINY, "--epochs", "1", "--val-fraction", "0.2", "--keep", "last",
                     "--out", str(out)]) == 0
    meta = load_model(out)[1]
    assert meta["keep"] == "last" and "best_epoch" not in meta
    assert cli.main(["train", *TINY, "--epochs", "1", "--keep", "best", "--out", str(out)]) == 2
    assert "needs validation data" in capsys.readouterr().err


def test_resuming_a_keep_best_run_equals_running_it_whole(tmp_path):
    whole, part = tmp_path / "whole.npz", tmp_path / "part.npz"
    # A constant schedule: a cosine one depends on the total, which --resume changes.
    common = [*TINY, "--lr", "0.02", "--val-fraction", "0.2", "--augment", "--dropout", "0.1",
              "--schedule", "constant"]
    assert cli.main(["train", *common, "--epochs", "3", "--out", str(whole)]) == 0
    assert cli.main(["train", *common, "--epochs", "2", "--out", str(part)]) == 0
    # No --threads: the checkpoint's own (1) applies, as the whole run's did; see below.
    assert cli.main(["train", "--resume", str(part), "--epochs", "3", "--quiet",
                     "--out", str(part)]) == 0
    (p1, m1, s1), (p2, m2, s2) = load_checkpoint(whole), load_checkpoint(part)
    assert m1["best_epoch"] == m2["best_epoch"]
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k], err_msg=k)
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k], err_msg=k)
    assert [r["val_accuracy"] for r in m1["history"]] == [r["val_accuracy"]
                                                         for r in m2["history"]]


def test_resuming_uses_the_threads_of_the_run_it_continues(tmp_path, monkeypatch):
    """Regression: a run trained with ``--threads 1`` and resumed without ``--threads`` went
    on with the BLAS library's default (2 threads on a 2-core machine) and ended up to 1.1e-6
    away from the whole run in W1 with NumPy 1.24 (OpenBLAS 0.3.21). Its float32 product
    ``F @ Gw.T`` of ``augment.smooth`` ((3584, 28) @ (28, 28)) splits the 28 columns 14 + 14
    between two threads, and exactly the columns 12, 13, 26 and 27 (each half's 2-column
    remainder after blocks of 4) came out different in the last bits: elastic fields that
    differ, then a different epoch. The checkpoint now records ``--threads``;
    ``--resume`` reuses it unless given another."""
    seen = []
    real = cli._blas_threads

    def spy(n):
        seen.append(n)
        return real(n)

    monkeypatch.setattr(cli, "_blas_threads", spy)
    out = tmp_path / "m.npz"
    assert cli.main(["train", *TINY, "--epochs", "1", "--out", str(out)]) == 0
    assert load_checkpoint(out)[1]["threads"] == 1
    assert cli.main(["train", "--resume", str(out), "--epochs", "2", "--quiet",
                     "--out", str(out)]) == 0
    assert cli.main(["train", "--resume", str(out), "--epochs", "3", "--quiet",
                     "--threads", "2", "--out", str(out)]) == 0
    assert seen == [1, 1, 2]
    assert load_checkpoint(out)[1]["threads"] == 2      # what the last part ran with


# --------------------------------------------------------------- --augment


def test_augment_changes_only_the_defaults_not_given(tmp_path):
    out = tmp_path / "m.npz"
    assert cli.main(["train", "--augment", "--layers", "8", "--epochs", "1", "--quiet",
                     "--out", str(out)]) == 0
    t = load_model(out)[1]["training"]
    assert t["hidden"] == [8] and t["epochs"] == 1                   # given: kept
    assert t["dropout"] == AUGMENTED.dropout and t["schedule"] == AUGMENTED.schedule
    assert t["batch_size"] == AUGMENTED.batch_size and t["l2"] == AUGMENTED.l2
    assert Augmentation(**t["augment"]) == AUGMENTED.augment          # recorded in effect
    assert cli.main(["train", "--augment", "--layers", "8", "--epochs", "1", "--dropout", "0",
                     "--quiet", "--out", str(out)]) == 0
    assert load_model(out)[1]["training"]["dropout"] == 0.0


def test_without_augment_the_defaults_are_the_plain_ones(tmp_path):
    out = tmp_path / "m.npz"
    assert cli.main(["train", "--layers", "8", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    t = load_model(out)[1]["training"]
    assert t["augment"] is None and t["dropout"] == 0.0
    assert TrainConfig.from_dict(t) == TrainConfig(hidden=(8,), epochs=1)


def test_help_shows_both_sets_of_defaults(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    widths = ",".join(map(str, AUGMENTED.hidden))
    assert f"with --augment: {widths}" in text
    assert f"default: {training.TrainConfig().epochs}; with --augment: {AUGMENTED.epochs}" in text
    assert f"with --augment: {AUGMENTED.dropout}" in text
    assert "--val-fraction" in text and "--keep {best,last}" in text


def test_same_seed_gives_the_same_augmented_batches(monkeypatch):
    batches = []
    real = training.augment_rows

    def spy(Xb, aug, rng):
        out = real(Xb, aug, rng)
        batches.append(out.copy())
        return out

    monkeypatch.setattr(training, "augment_rows", spy)
    d = load_sample()
    cfg = TrainConfig(hidden=(4,), epochs=2, batch_size=256, augment=AUGMENTED.augment)
    X, y = d.X[:, :600], d.y[:600]
    runs = []
    for seed in (3, 3, 4):
        batches.clear()
        train(X, y, TrainConfig(**{**cfg.__dict__, "seed": seed}), progress=False)
        runs.append(list(batches))
    assert len(runs[0]) == 6                                         # 3 batches × 2 epochs
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1], strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(runs[0], runs[2], strict=True))
    assert all(b.min() >= 0 and b.max() <= 1 for b in runs[0])


def test_interrupted_keep_best_run_resumes_to_the_whole_run(tmp_path, monkeypatch):
    """Ctrl-C after epoch 2 of 3: the checkpoint holds the best epoch so far and the last
    epoch's parameters; resuming it gives the file of the uninterrupted run."""
    whole, cut = tmp_path / "whole.npz", tmp_path / "cut.npz"
    common = [*TINY, "--epochs", "3", "--lr", "0.02", "--val-fraction", "0.2", "--dropout", "0.1"]
    assert cli.main(["train", *common, "--out", str(whole)]) == 0
    real = cli.train
    ctrl_c_after_epoch(monkeypatch, 2)
    assert cli.main(["train", *common, "--out", str(cut)]) == 130
    _, meta, state = load_checkpoint(cut)
    assert not meta["complete"] and meta["epoch"] == 2 and "last/W1" in state
    monkeypatch.setattr(cli, "train", real)
    assert cli.main(["train", "--resume", str(cut), "--quiet", "--out", str(cut)]) == 0
    (p1, m1, s1), (p2, m2, s2) = load_checkpoint(whole), load_checkpoint(cut)
    assert m1["best_epoch"] == m2["best_epoch"] and m2["complete"]
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k], err_msg=k)
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k], err_msg=k)
