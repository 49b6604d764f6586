"""Tests for nnscratch.data.download against a local HTTP server (never a real host)."""

import gzip
import hashlib
import http.server
import re
import socket
import threading

import numpy as np
import pytest

from nnscratch.data import download as dl
from nnscratch.data import read_idx_folder
from nnscratch.errors import InputError
from tests.conftest import idx_bytes

NAMES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def fixture_files() -> dict[str, bytes]:
    """Four small, valid, gzipped IDX files (a few hundred bytes to ~10 KB each)."""
    rng = np.random.default_rng(0)
    raw = {
        NAMES[0]: idx_bytes(rng.integers(0, 256, (12, 28, 28))),
        NAMES[1]: idx_bytes(rng.integers(0, 10, 12)),
        NAMES[2]: idx_bytes(rng.integers(0, 256, (5, 28, 28))),
        NAMES[3]: idx_bytes(rng.integers(0, 10, 5)),
    }
    return {name: gzip.compress(data, compresslevel=1, mtime=0) for name, data in raw.items()}


@pytest.fixture
def table(fixture_files) -> dict[str, dict]:
    files = {
        name: {"sha256": sha(data), "sha256_decompressed": sha(gzip.decompress(data))}
        for name, data in fixture_files.items()
    }
    return {"tiny": {"title": "test", "mirror": "http://127.0.0.1:9/unused/", "files": files}}


class Server:
    """A local HTTP server whose behaviour per request the test can change.

    ``mode`` is one of: ``ok`` (honours ``Range``), ``norange`` (ignores it),
    ``cut`` (promises the whole body, sends half, hangs up), ``cut_once`` (``cut`` for
    the first request of each file, then ``ok``), ``wrong`` (serves other bytes).
    """

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.mode = "ok"
        self.requests: list[tuple[str, str | None, int]] = []
        self._cut_done: set[str] = set()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                rng = self.headers.get("Range")
                if name not in server.files:
                    server.requests.append((name, rng, 404))
                    self.send_error(404)
                    return
                if server.mode == "error500":
                    server.requests.append((name, rng, 500))
                    self.send_error(500)
                    return
                body = server.files[name]
                if server.mode == "wrong":
                    body = bytes(len(body))
                start = 0
                match = re.fullmatch(r"bytes=(\d+)-", rng or "")
                if match and server.mode != "norange" and int(match[1]) >= len(body):
                    server.requests.append((name, rng, 416))
                    self.send_error(416)  # Range Not Satisfiable, as S3 answers
                    return
                if match and server.mode != "norange" and int(match[1]) < len(body):
                    start = int(match[1])
                status = 206 if start else 200
                server.requests.append((name, rng, status))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                cut = server.mode == "cut" or (
                    server.mode == "cut_once" and name not in server._cut_done
                )
                if cut:
                    server._cut_done.add(name)
                    self.wfile.write(body[start:start + (len(body) - start) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/data/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(fixture_files, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("NNSCRATCH_MIRROR", raising=False)
    s = Server(fixture_files)
    yield s
    s.close()


def fetch(server, table, tmp_path, **kw):
    kw.setdefault("mirror", server.url)
    kw.setdefault("timeout", 5)
    kw.setdefault("progress", False)
    return dl.download("tiny", cache=tmp_path, datasets=table, **kw)


def assert_complete(folder, fixture_files):
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)  # no .part left
    for name, data in fixture_files.items():
        assert (folder / name).read_bytes() == data


# ------------------------------------------------------------------ happy paths


def test_download_then_load(server, table, tmp_path, fixture_files):
    folder = fetch(server, table, tmp_path)
    assert folder == tmp_path / "tiny"
    assert_complete(folder, fixture_files)
    assert [r[2] for r in server.requests] == [200] * 4
    d = read_idx_folder(folder)
    assert d.X.shape == (784, 12) and d.y.shape == (12,)
    assert read_idx_folder(folder, "test").X.shape == (784, 5)
    assert dl.is_downloaded("tiny", folder, datasets=table)
    # A second call finds everything in place and asks the server for nothing.
    server.requests.clear()
    assert fetch(server, table, tmp_path) == folder
    assert server.requests == []


def test_mirror_from_environment_with_name_placeholder(server, table, tmp_path, monkeypatch,
                                                       fixture_files):
    monkeypatch.setenv("NNSCRATCH_MIRROR", server.url.replace("/data/", "/{name}"))
    folder = dl.download("tiny", cache=tmp_path, progress=False, datasets=table, timeout=5)
    assert_complete(folder, fixture_files)


def test_default_cache_dir_from_environment(server, table, tmp_path, monkeypatch,
                                            fixture_files):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path / "c"))
    folder = dl.download("tiny", mirror=server.url, progress=False, datasets=table, timeout=5)
    assert folder == tmp_path / "c" / "tiny"
    assert_complete(folder, fixture_files)


def test_progress_bar_does_not_break_anything(server, table, tmp_path, fixture_files, capsys):
    folder = fetch(server, table, tmp_path, progress=True)
    assert_complete(folder, fixture_files)
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_recompressed_mirror_is_accepted(server, table, tmp_path, fixture_files):
    # Like Debian: same IDX content, different gzip bytes. The .gz sum fails, the
    # decompressed sum passes.
    recompressed = {n: gzip.compress(gzip.decompress(d), 9, mtime=1) for n, d in
                    fixture_files.items()}
    assert all(sha(recompressed[n]) != sha(fixture_files[n]) for n in NAMES)
    server.files = recompressed
    folder = fetch(server, table, tmp_path)
    assert_complete(folder, recompressed)


def test_file_url_mirror(table, tmp_path, fixture_files):
    source = tmp_path / "usb"
    source.mkdir()
    for name, data in fixture_files.items():
        (source / name).write_bytes(data)
    folder = dl.download("tiny", mirror=source.as_uri(), cache=tmp_path / "cache",
                         progress=False, datasets=table)
    assert_complete(folder, fixture_files)


# ------------------------------------------------------------------ interruptions


def test_cut_connection_leaves_part_then_resumes(server, table, tmp_path, fixture_files):
    server.mode = "cut"
    with pytest.raises(InputError, match="download failed after 1 attempt.*run the same") as info:
        fetch(server, table, tmp_path, retries=0)
    assert info.value.path == server.url + NAMES[0]
    folder = tmp_path / "tiny"
    part = folder / (NAMES[0] + ".part")
    half = len(fixture_files[NAMES[0]]) // 2
    assert part.stat().st_size == half
    assert not (folder / NAMES[0]).exists()  # never a partial file under the final name
    server.mode = "ok"
    server.requests.clear()
    fetch(server, table, tmp_path)
    assert server.requests[0] == (NAMES[0], f"bytes={half}-", 206)
    assert_complete(folder, fixture_files)


def test_cut_once_is_retried_within_one_call(server, table, tmp_path, fixture_files):
    server.mode = "cut_once"
    folder = fetch(server, table, tmp_path, retries=2)
    assert_complete(folder, fixture_files)
    statuses = [s for _, _, s in server.requests]
    assert statuses == [200, 206] * 4  # each file: cut, then resumed


def test_server_without_range_support_restarts(server, table, tmp_path, fixture_files):
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / (NAMES[1] + ".part")).write_bytes(fixture_files[NAMES[1]][:10])
    server.mode = "norange"
    fetch(server, table, tmp_path)
    assert (NAMES[1], "bytes=10-", 200) in server.requests
    assert_complete(folder, fixture_files)


def test_stale_complete_part_is_restarted(server, table, tmp_path, fixture_files):
    # A .part as long as the whole file: "bytes=N-" asks for nothing, the server answers
    # 416 Range Not Satisfiable, and the download starts over.
    folder = tmp_path / "tiny"
    folder.mkdir()
    size = len(fixture_files[NAMES[3]])
    (folder / (NAMES[3] + ".part")).write_bytes(fixture_files[NAMES[3]])
    fetch(server, table, tmp_path)
    assert server.requests[-2:] == [(NAMES[3], f"bytes={size}-", 416), (NAMES[3], None, 200)]
    assert_complete(folder, fixture_files)


def test_corrupt_part_fails_checksum_then_next_run_succeeds(server, table, tmp_path,
                                                            fixture_files):
    folder = tmp_path / "tiny"
    folder.mkdir()
    part = folder / (NAMES[0] + ".part")
    part.write_bytes(b"garbage!" * 10)
    with pytest.raises(InputError, match="checksum mismatch"):
        fetch(server, table, tmp_path)
    assert not part.exists() and not (folder / NAMES[0]).exists()
    fetch(server, table, tmp_path)
    assert_complete(folder, fixture_files)


def test_connection_refused(table, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(InputError, match="download failed after 2 attempt"):
        dl.download("tiny", mirror=f"http://127.0.0.1:{port}/", cache=tmp_path,
                    progress=False, datasets=table, retries=1, timeout=5)
    assert not any((tmp_path / "tiny").glob("*.gz"))


# ------------------------------------------------------------------ bad content, bad input


def test_wrong_bytes_raise_checksum_error(server, table, tmp_path):
    server.mode = "wrong"
    with pytest.raises(InputError) as info:
        fetch(server, table, tmp_path)
    final = tmp_path / "tiny" / NAMES[0]
    message = str(info.value)
    assert message.startswith(f"{final}: checksum mismatch")
    assert table["tiny"]["files"][NAMES[0]]["sha256"] in message
    assert sha(bytes(len(server.files[NAMES[0]]))) in message
    assert "\n" not in message
    assert list((tmp_path / "tiny").iterdir()) == []  # neither the final file nor a .part


def test_only_a_decompressed_sum_is_enough(server, table, tmp_path, fixture_files):
    for sums in table["tiny"]["files"].values():
        sums["sha256"] = None
    assert_complete(fetch(server, table, tmp_path), fixture_files)


def test_a_file_without_any_sum_is_refused(server, table, tmp_path):
    table["tiny"]["files"][NAMES[2]] = {"sha256": None, "sha256_decompressed": None}
    with pytest.raises(ValueError, match="no checksum"):
        fetch(server, table, tmp_path)
    assert server.requests == []


def test_http_404_is_not_retried(server, table, tmp_path):
    del server.files[NAMES[0]]
    with pytest.raises(InputError, match="HTTP 404") as info:
        fetch(server, table, tmp_path, retries=3)
    assert info.value.path.endswith(NAMES[0])
    assert len(server.requests) == 1


def test_http_500_is_retried(server, table, tmp_path):
    server.mode = "error500"
    with pytest.raises(InputError, match="HTTP 500"):
        fetch(server, table, tmp_path, retries=2)
    assert len(server.requests) == 3


def test_unknown_dataset_and_bad_mirror(tmp_path):
    with pytest.raises(InputError, match=r"^emnist: unknown dataset; choose from fashion-mnist"):
        dl.download("emnist", cache=tmp_path)
    with pytest.raises(InputError, match="mirror must be an http"):
        dl.download("mnist", mirror="ftp://example.invalid/", cache=tmp_path)


# ------------------------------------------------------------------ the table itself


def test_datasets_table_is_complete():
    assert dl.list_datasets() == ["fashion-mnist", "mnist"]
    for name, entry in dl.DATASETS.items():
        assert sorted(entry["files"]) == sorted(NAMES), name
        assert entry["mirror"].startswith(("http://", "https://")) and entry["mirror"][-1] == "/"
        for sums in entry["files"].values():
            for key in ("sha256", "sha256_decompressed"):
                assert re.fullmatch("[0-9a-f]{64}", sums[key]), (name, key)
    mnist = dl.DATASETS["mnist"]["files"]
    assert mnist["train-images-idx3-ubyte.gz"]["sha256"].startswith("440fcabf")
    fashion = dl.DATASETS["fashion-mnist"]["files"]
    assert fashion["t10k-labels-idx1-ubyte.gz"]["sha256_decompressed"].startswith("0402a96d")
