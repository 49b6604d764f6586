"""The command line, end to end: train, evaluate, predict, and every kind of bad input.

Most tests call ``nnscratch.cli.main`` in-process (fast, and an escaping exception fails the
test); a few run the installed console script in a subprocess to check real exit codes,
that stderr is one line, and that Ctrl-C leaves a usable checkpoint.
"""

import gzip
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnscratch import cli
from nnscratch.data import load_sample
from nnscratch.modelfile import load_checkpoint, load_model, save_model
from tests.conftest import ctrl_c_after_epoch
from tests.test_modelfile import DAMAGED

TINY = ["--layers", "16", "--epochs", "2", "--quiet"]
HEADER = "label," + ",".join(f"pixel{i}" for i in range(784))


def run(args, capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, rows: list[list], header: str = HEADER, **kw) -> Path:
    text = header + "\n" + "\n".join(",".join(str(v) for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(kw.get("encoding", "utf-8")))
    return path


def sample_rows(n: int, with_label: bool = True) -> list[list]:
    d = load_sample()
    pixels = np.rint(d.X[:, :n].T * 255).astype(int)
    if not with_label:
        return pixels.tolist()
    return [[int(label), *row] for label, row in zip(d.y[:n], pixels.tolist(), strict=True)]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A small model trained on the sample, shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("model") / "m.npz"
    assert cli.main(["train", *TINY, "--out", str(path)]) == 0
    return path


# ---------------------------------------------------------------------------------------
# The happy paths
# ---------------------------------------------------------------------------------------


def test_train_then_evaluate_on_held_out_sample(model, capsys):
    code, out, err = run(["evaluate", "--model", model], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("accuracy: 0.")
    assert float(lines[0].split()[1]) > 0.8
    assert "n: 3000" in lines
    _, meta = load_model(model)
    assert meta["complete"] is True and meta["data"]["source"] == "sample"
    assert meta["data"]["sha256"] == load_sample().sha256


def test_evaluate_json(model, capsys):
    code, out, _ = run(["evaluate", "--model", model, "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["n"] == 3000
    C = np.array(result["confusion"])
    assert C.shape == (10, 10) and C.sum() == 3000
    assert result["accuracy"] == pytest.approx(np.trace(C) / 3000)


def test_evaluate_on_a_labelled_csv(model, tmp_path, capsys):
    csv = write_csv(tmp_path / "some.csv", sample_rows(50))
    code, out, _ = run(["evaluate", "--model", model, "--data", csv], capsys)
    assert code == 0
    assert "n: 50" in out.splitlines()


def test_predict_writes_a_kaggle_submission(model, tmp_path, capsys):
    test_csv = write_csv(tmp_path / "test.csv", sample_rows(25, with_label=False),
                         header=HEADER.removeprefix("label,"))
    out_csv = tmp_path / "submission.csv"
    code, _, err = run(["predict", "--model", model, "--data", test_csv, "--out", out_csv],
                       capsys)
    assert code == 0, err
    lines = out_csv.read_text().splitlines()
    assert lines[0] == "ImageId,Label"
    assert len(lines) == 26
    ids, labels = zip(*(map(int, line.split(",")) for line in lines[1:]), strict=True)
    assert list(ids) == list(range(1, 26))
    assert all(0 <= label <= 9 for label in labels)


def test_excel_csv_with_bom_and_crlf_loads(model, tmp_path, capsys):
    rows = sample_rows(5)
    text = HEADER + "\r\n" + "\r\n".join(",".join(map(str, r)) for r in rows) + "\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, out, err = run(["evaluate", "--model", model, "--data", path], capsys)
    assert code == 0, err
    assert "n: 5" in out.splitlines()


def test_gzipped_csv_and_idx_folder_train(tmp_path, capsys):
    rows = sample_rows(200)
    gz = tmp_path / "train.csv.gz"
    gz.write_bytes(gzip.compress((HEADER + "\n" + "\n".join(
        ",".join(map(str, r)) for r in rows) + "\n").encode()))
    code, out, err = run(["train", *TINY, "--data", gz, "--out", tmp_path / "a.npz"], capsys)
    assert code == 0, err
    folder = tmp_path / "idx"
    folder.mkdir()
    images = np.array([r[1:] for r in rows], dtype=np.uint8)
    labels = np.array([r[0] for r in rows], dtype=np.uint8)
    for part, n in (("train", 150), ("t10k", 50)):
        sl = slice(0, 150) if part == "train" else slice(150, 200)
        (folder / f"{part}-images-idx3-ubyte").write_bytes(
            struct.pack(">IIII", 0x803, n, 28, 28) + images[sl].tobytes())
        (folder / f"{part}-labels-idx1-ubyte").write_bytes(
            struct.pack(">II", 0x801, n) + labels[sl].tobytes())
    code, out, err = run(["train", *TINY, "--data", folder, "--out", tmp_path / "b.npz"], capsys)
    assert code == 0, err
    code, out, err = run(["evaluate", "--model", tmp_path / "b.npz", "--data", folder], capsys)
    assert code == 0, err
    assert "n: 50" in out.splitlines()   # the t10k files of the folder


def test_test_fraction_zero_trains_on_everything(tmp_path, capsys):
    out = tmp_path / "all.npz"
    code, text, _ = run(["train", *TINY, "--test-fraction", "0", "--out", out], capsys)
    assert code == 0
    assert load_model(out)[1]["data"]["n_train"] == 10000
    code, _, err = run(["evaluate", "--model", out], capsys)
    assert code == 2 and "give --data" in err


def test_resume_continues_to_the_same_result(tmp_path, capsys):
    straight, resumed = tmp_path / "straight.npz", tmp_path / "resumed.npz"
    args = ["--layers", "8", "--quiet", "--schedule", "constant"]
    assert run(["train", *args, "--epochs", "3", "--out", straight], capsys)[0] == 0
    assert run(["train", *args, "--epochs", "1", "--out", resumed], capsys)[0] == 0
    assert run(["train", "--resume", resumed, "--epochs", "3", "--quiet", "--out", resumed],
               capsys)[0] == 0
    p1, m1 = load_model(straight)
    p2, m2 = load_model(resumed)
    for k in p1:
        np.testing.assert_allclose(p1[k], p2[k], rtol=1e-5, atol=1e-6)
    assert [h["epoch"] for h in m2["history"]] == [1, 2, 3]


# ---------------------------------------------------------------------------------------
# Training that fails well
# ---------------------------------------------------------------------------------------


def test_diverging_training_exits_3_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "m.npz"
    code, _, err = run(["train", "--layers", "16", "--epochs", "3", "--quiet", "--optimizer",
                        "gd", "--lr", "1e10", "--out", out], capsys)
    assert code == 3
    assert len(err.strip().splitlines()) == 1, err
    assert "diverged" in err and "epoch 1" in err and "--lr" in err
    assert not out.exists()


def test_interrupt_saves_the_last_complete_epoch(tmp_path, capsys, monkeypatch):
    ctrl_c_after_epoch(monkeypatch, 2)
    out = tmp_path / "m.npz"
    code, _, err = run(["train", "--layers", "8", "--epochs", "5", "--quiet", "--out", out],
                       capsys)
    assert code == 130
    assert "epoch 2 of 5" in err and "--resume" in err
    params, meta, state = load_checkpoint(out)
    assert meta["complete"] is False and meta["epoch"] == 2
    assert "t" in state   # Adam's step counter, so --resume continues exactly
    monkeypatch.undo()
    code, out_text, err = run(["train", "--resume", out, "--quiet", "--out", out], capsys)
    assert code == 0, err
    assert load_model(out)[1]["complete"] is True


def _sigint_at_its_default() -> None:
    """In the child, before it runs: SIGINT does what Ctrl-C does in a terminal.

    A shell's background job (``cmd &`` in a script) starts with SIGINT ignored, and its
    children inherit that; Python then installs no KeyboardInterrupt handler, and a train
    run ignores the signal as ``nohup`` intends. The suite run that way (the oldest-versions
    CI run was) made this test wait 60 s and leave a 100000-epoch run behind.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# What the console script runs (``from nnscratch.cli import main; sys.exit(main())``), and
# a line on stdout once the imports are done, so that the signal is sent during the run
# rather than while a busy machine is still importing pandas (which took over 6 s here).
CONSOLE_SCRIPT = ("import sys\nfrom nnscratch.console import main\nimport nnscratch.cli\n"
                  "print('imported', flush=True)\nsys.exit(main())")


def test_ctrl_c_in_a_real_process(tmp_path):
    """SIGINT to the console script: exit 130, and a model file exists iff it says so.

    Three seconds after the imports is usually within training; on a busy machine it may
    still be loading the sample or in its first epoch, and each moment has its one line.
    Saving the last complete epoch, at a chosen moment, is
    test_interrupt_saves_the_last_complete_epoch.
    """
    out = tmp_path / "m.npz"
    proc = subprocess.Popen(
        [sys.executable, "-c", CONSOLE_SCRIPT, "train", "--layers", "8", "--epochs", "100000",
         "--quiet", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_sigint_at_its_default,
    )
    try:
        assert proc.stdout.readline() == "imported\n"
        time.sleep(3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:  # never leave a run behind, whatever failed
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    if "saved the checkpoint" in err:
        _, meta = load_model(out)
        assert meta["complete"] is False and meta["epoch"] >= 1
    else:  # during the first epoch, or before training began
        assert err.strip() in ("nnscratch: interrupted before the first epoch ended; no model "
                               "written", "nnscratch: interrupted"), err
        assert not out.exists()
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"


# `python -m nnscratch` with Ctrl-C pressed, deterministically, while NumPy is imported.
CTRL_C_DURING_IMPORTS = """
import os, runpy, signal, sys

class CtrlCWhileImportingNumPy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlCWhileImportingNumPy())
runpy.run_module("nnscratch", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_during_the_imports_is_one_line_too(tmp_path):
    """Regression: the console script imported nnscratch.cli (NumPy, pandas) before main()
    could catch Ctrl-C, so a Ctrl-C then printed a traceback (nnscratch/console.py)."""
    proc = subprocess.run([sys.executable, "-c", CTRL_C_DURING_IMPORTS, "evaluate", "--model",
                           str(tmp_path / "none.npz")], capture_output=True, text=True,
                          timeout=60, preexec_fn=_sigint_at_its_default)
    assert (proc.returncode, proc.stderr) == (130, "nnscratch: interrupted\n")


# ---------------------------------------------------------------------------------------
# Bad input: one line naming the file, exit 2, no traceback, no output file
# ---------------------------------------------------------------------------------------


def idx_bytes(magic: int, dims: tuple, payload: bytes) -> bytes:
    return struct.pack(">I", magic) + struct.pack(f">{len(dims)}I", *dims) + payload


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_DATA = {
    "missing file": (lambda d: d / "nope.csv", "no such file"),
    "empty file": (lambda d: write(d / "empty.csv", b""), "empty"),
    "missing columns": (lambda d: write_csv(d / "cols.csv", [[1, 2, 3]],
                                            header="label,pixel0,pixel1"), "missing"),
    "non-numeric cell": (lambda d: write_csv(d / "nn.csv", [[1] + ["x"] + [0] * 783]),
                         "not a number"),
    "NaN cell": (lambda d: write_csv(d / "nan.csv", [[1] + ["nan"] + [0] * 783]), "missing value"),
    "empty cell": (lambda d: write_csv(d / "hole.csv", [[1] + [""] + [0] * 783]), "missing value"),
    "pixel above 255": (lambda d: write_csv(d / "big.csv", [[1] + [256] + [0] * 783]), "255"),
    "negative pixel": (lambda d: write_csv(d / "neg.csv", [[1] + [-1] + [0] * 783]),
                       "outside 0..255"),
    "label outside 0-9": (lambda d: write_csv(d / "lab.csv", [[10] + [0] * 784]), "label"),
    # pandas dropped the extra value of a first row (with a ParserWarning): a regression case
    "a row of 786 values": (lambda d: write_csv(d / "long.csv", [[1] + [0] * 785]),
                            "row 1 (line 2) has 786 values; the header names 785 columns"),
    "a row of 784 values": (lambda d: write_csv(d / "short.csv",
                                                sample_rows(1) + [[1] + [0] * 783]),
                            "row 2 (line 3) has 784 values; the header names 785 columns"),
    "a trailing comma": (lambda d: write_csv(d / "comma.csv", [[1] + [0] * 784 + [""]]),
                         "row 1 (line 2) has 786 values, the last one empty (a trailing comma?)"),
    "not a CSV at all": (lambda d: write(d / "bin.csv", bytes(range(256)) * 4), "not a text file"),
}


def make_idx_folder(d: Path, images: bytes, labels: bytes) -> Path:
    folder = d / "idx"
    folder.mkdir()
    for part in ("train", "t10k"):
        (folder / f"{part}-images-idx3-ubyte").write_bytes(images)
        (folder / f"{part}-labels-idx1-ubyte").write_bytes(labels)
    return folder


BAD_IDX = {
    "wrong IDX magic": (idx_bytes(0x802, (1, 28, 28), bytes(784)),
                        idx_bytes(0x801, (1,), bytes(1)), "magic"),
    "truncated IDX": (idx_bytes(0x803, (2, 28, 28), bytes(784 + 100)),
                      idx_bytes(0x801, (2,), bytes(2)), "truncated"),
    "image/label count mismatch": (idx_bytes(0x803, (2, 28, 28), bytes(2 * 784)),
                                   idx_bytes(0x801, (3,), bytes(3)), ""),
}


def assert_clean_failure(code: int, err: str, shown: str, fragment: str = "") -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"nnscratch: error: {shown}"), lines[0]
    assert fragment.lower() in lines[0].lower()
    assert "Traceback" not in err


@pytest.mark.parametrize("case", sorted(BAD_DATA))
@pytest.mark.parametrize("command", ["train", "evaluate", "predict"])
def test_bad_data_file(case, command, model, tmp_path, capsys):
    path = BAD_DATA[case][0](tmp_path)
    out = tmp_path / "out.file"
    args = {"train": ["train", *TINY, "--data", path, "--out", out],
            "evaluate": ["evaluate", "--model", model, "--data", path],
            "predict": ["predict", "--model", model, "--data", path, "--out", out]}[command]
    code, _, err = run(args, capsys)
    assert_clean_failure(code, err, str(path), BAD_DATA[case][1])
    assert not out.exists()
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("case", sorted(BAD_IDX))
def test_bad_idx_folder(case, model, tmp_path, capsys):
    images, labels, fragment = BAD_IDX[case]
    folder = make_idx_folder(tmp_path, images, labels)
    out = tmp_path / "out.npz"
    code, _, err = run(["train", *TINY, "--data", folder, "--out", out], capsys)
    assert code == 2, err
    assert err.startswith("nnscratch: error: ") and str(folder) in err
    assert fragment in err.lower() and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_unlabelled_data_cannot_train_or_evaluate(model, tmp_path, capsys):
    path = write_csv(tmp_path / "test.csv", sample_rows(3, with_label=False),
                     header=HEADER.removeprefix("label,"))
    code, _, err = run(["train", *TINY, "--data", path, "--out", tmp_path / "m.npz"], capsys)
    assert_clean_failure(code, err, str(path), "label")
    code, _, err = run(["evaluate", "--model", model, "--data", path], capsys)
    assert_clean_failure(code, err, str(path), "label")


BAD_MODELS = {
    "missing model": (lambda d, good: d / "none.npz", "no such file"),
    "not an npz": (lambda d, good: write(d / "text.npz", b"hello"), "not"),
    "truncated npz": (lambda d, good: write(d / "cut.npz", good.read_bytes()[:3000]), ""),
    "a directory": (lambda d, good: d, "directory"),
}


@pytest.mark.parametrize("case", sorted(BAD_MODELS))
@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_bad_model_file(case, command, model, tmp_path, capsys):
    bad = BAD_MODELS[case][0](tmp_path, model)
    data = write_csv(tmp_path / "d.csv", sample_rows(3))
    out = tmp_path / "sub.csv"
    args = (["evaluate", "--model", bad, "--data", data] if command == "evaluate"
            else ["predict", "--model", bad, "--data", data, "--out", out])
    code, _, err = run(args, capsys)
    assert_clean_failure(code, err, str(bad), BAD_MODELS[case][1])
    assert not out.exists()


@pytest.mark.parametrize("case", sorted(DAMAGED))
@pytest.mark.parametrize("command", ["evaluate", "predict", "train --resume"])
def test_damaged_or_hostile_model_file(case, command, model, tmp_path, capsys):
    """Every damaged-zip and bad-.npy case of test_modelfile.py, made from a real trained
    model, through each command that reads a model: one line, exit 2, nothing written."""
    make, says = DAMAGED[case]
    bad = write(tmp_path / "damaged.npz", make(model.read_bytes(), tmp_path))
    data = write_csv(tmp_path / "d.csv", sample_rows(3))
    out = tmp_path / "out.file"
    args = {"evaluate": ["evaluate", "--model", bad],
            "predict": ["predict", "--model", bad, "--data", data, "--out", out],
            "train --resume": ["train", "--resume", bad, "--quiet", "--out", out]}[command]
    code, stdout, err = run(args, capsys)
    assert_clean_failure(code, err, str(bad), says)
    assert stdout == ""
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    assert not (tmp_path / "the pickle ran").exists()


def test_damaged_model_in_a_real_process(model, tmp_path):
    """The case Hypothesis found, through the console script: exit 2, one line."""
    bad = write(tmp_path / "damaged.npz", DAMAGED["zip version 10.9"][0](model.read_bytes(),
                                                                         tmp_path))
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run([sys.executable, "-m", "nnscratch", "evaluate", "--model", str(bad)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"nnscratch: error: {bad}: not a readable model file "
        "(NotImplementedError: zip file version 10.9)"]


def test_a_row_of_786_values_in_a_real_process(model, tmp_path):
    """The console script, warnings as errors: one line naming the file and the row, exit 2,
    no output file (pandas used to warn and drop the value)."""
    bad = write_csv(tmp_path / "long.csv", sample_rows(2) + [[1] + [0] * 785])
    out = tmp_path / "p.csv"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run([sys.executable, "-m", "nnscratch", "predict", "--model", str(model),
                           "--data", str(bad), "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.splitlines() == [
        f"nnscratch: error: {bad}: row 3 (line 4) has 786 values; the header names 785 columns"]
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_model_and_data_shapes_mismatch(tmp_path, capsys):
    small = tmp_path / "small.npz"
    save_model(small, {"W1": np.zeros((3, 5), np.float32), "b1": np.zeros((3, 1), np.float32)},
               {"activation": "relu"})
    data = write_csv(tmp_path / "d.csv", sample_rows(2))
    code, _, err = run(["evaluate", "--model", small, "--data", data], capsys)
    assert_clean_failure(code, err, str(small), "5 inputs")


def test_edited_model_is_refused(model, tmp_path, capsys):
    params, meta, state = load_checkpoint(model)
    edited = tmp_path / "edited.npz"
    arrays = {**params, **{f"state/{k}": v for k, v in state.items()}}
    arrays["W1"] = arrays["W1"] + 1  # same shape, different numbers: the checksum must catch it
    np.savez(edited, meta=np.array(json.dumps(meta)), **arrays)
    code, _, err = run(["evaluate", "--model", edited], capsys)
    assert_clean_failure(code, err, str(edited), "checksum")


def test_changed_training_data_is_a_clear_error(tmp_path, capsys):
    data = write_csv(tmp_path / "train.csv", sample_rows(60))
    model = tmp_path / "m.npz"
    assert run(["train", *TINY, "--data", data, "--out", model], capsys)[0] == 0
    write_csv(data, sample_rows(61))
    code, _, err = run(["evaluate", "--model", model], capsys)
    assert_clean_failure(code, err, str(data), "changed")
    data.unlink()
    code, _, err = run(["evaluate", "--model", model], capsys)
    assert_clean_failure(code, err, str(data), "no such file")


def test_unwritable_output_is_refused_before_training(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "folder" / "m.npz"
    code, _, err = run(["train", *TINY, "--out", out], capsys)
    assert_clean_failure(code, err, str(out), "does not exist")


@pytest.mark.parametrize("args", [
    ["train"],                                       # --out missing
    ["train", "--out", "m.npz", "--layers", "a,b"],
    ["train", "--out", "m.npz", "--batch-size", "0"],
    ["train", "--out", "m.npz", "--test-fraction", "1.5"],
    ["train", "--out", "m.npz", "--activation", "tanh"],
    ["frobnicate"],
])
def test_usage_errors_keep_argparse_format(args, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: nnscratch" in err and "error:" in err


def test_console_script_exit_code_and_single_line(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run([sys.executable, "-m", "nnscratch", "evaluate", "--model",
                           str(tmp_path / "missing.npz")], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"nnscratch: error: {tmp_path / 'missing.npz'}: no such file or directory"]


# ---------------------------------------------------------------------------------------
# download, then --data NAME (a local server; no real host is ever contacted)
# ---------------------------------------------------------------------------------------


def test_download_then_train_on_the_dataset_name(tmp_path, capsys, monkeypatch):
    import functools
    import hashlib
    import http.server
    import threading

    from nnscratch.data import download

    served = tmp_path / "mirror"
    served.mkdir()
    rows = sample_rows(120)
    images = np.array([r[1:] for r in rows], dtype=np.uint8)
    labels = np.array([r[0] for r in rows], dtype=np.uint8)
    files = {}
    for part, sl in (("train", slice(0, 100)), ("t10k", slice(100, 120))):
        n = sl.stop - sl.start
        for kind, payload in (("images-idx3", struct.pack(">IIII", 0x803, n, 28, 28)
                               + images[sl].tobytes()),
                              ("labels-idx1", struct.pack(">II", 0x801, n)
                               + labels[sl].tobytes())):
            name = f"{part}-{kind}-ubyte.gz"
            data = gzip.compress(payload, mtime=0)
            (served / name).write_bytes(data)
            files[name] = {"sha256": hashlib.sha256(data).hexdigest(),
                           "sha256_decompressed": hashlib.sha256(payload).hexdigest()}
    monkeypatch.setitem(download.DATASETS, "mnist", {**download.DATASETS["mnist"],
                                                     "files": files})
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path / "cache"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        code, _, err = run(["train", *TINY, "--data", "mnist", "--out", tmp_path / "m.npz"],
                           capsys)
        assert_clean_failure(code, err, "mnist", "nnscratch download mnist")
        code, out, err = run(["download", "mnist", "--mirror",
                              f"http://127.0.0.1:{httpd.server_port}/"], capsys)
        assert code == 0, err
        code, out, err = run(["download", "--list"], capsys)
        assert out.split() == ["fashion-mnist", "mnist"]
    finally:
        httpd.shutdown()
    code, out, err = run(["train", *TINY, "--data", "mnist", "--out", tmp_path / "m.npz"],
                         capsys)
    assert code == 0, err
    code, out, err = run(["evaluate", "--model", tmp_path / "m.npz", "--data", "mnist"], capsys)
    assert code == 0, err
    assert "n: 20" in out.splitlines()   # the t10k files


def test_a_closed_pipe_is_not_a_traceback(model):
    """`nnscratch evaluate ... | head -1`: the reader leaves early; no traceback, exit 0."""
    proc = subprocess.Popen([sys.executable, "-m", "nnscratch", "evaluate", "--model",
                             str(model)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()   # before the process writes a byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


@pytest.mark.parametrize("option", ["--lr nan", "--lr inf", "--l2 -1", "--epochs 0",
                                    "--test-fraction nan"])
def test_nonsense_numbers_are_usage_errors(option, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--out", "m.npz", *option.split()])
    assert exc.value.code == 2
    assert "expected" in capsys.readouterr().err


def test_threads_option_limits_blas_during_training(tmp_path, capsys, monkeypatch):
    from threadpoolctl import threadpool_info

    seen = []
    real_train = cli.train

    def spy(*args, **kw):
        seen.append([p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"])
        return real_train(*args, **kw)

    monkeypatch.setattr(cli, "train", spy)
    code, _, err = run(["train", *TINY, "--threads", "1", "--out", tmp_path / "m.npz"], capsys)
    assert code == 0, err
    assert seen and seen[0] and set(seen[0]) == {1}
