"""The README's first command serves the book: the real ``mkdocs serve``, over HTTP.

``mkdocs serve`` differs from ``mkdocs build``: it builds into a temporary folder, sets
``site_url`` to its own address (so every page carries an absolute
``<link rel="canonical" href="http://127.0.0.1:.../">``) and injects its live-reload script.
The test runs the README's command (the part after the venv set-up, with ``sys.executable -m
mkdocs`` for ``.venv/bin/mkdocs`` and a free port), in the repository, as a reader would:
it waits until the server answers, fetches the home page, chapters and an executed example
with its figures, checks each page with the build's off-host guard and fetches what each
page loads from the server; then it stops the server with Ctrl-C (SIGINT) and checks that
it exited cleanly, removed its temporary site, left no Jupyter kernel running and wrote
nothing into the repository but the example cache ``.cache/`` (and Python's ``__pycache__``).

The server executes the examples unless the mkdocs-jupyter cache has them (``NB_CACHE``, as
for a build; CI sets ``NB_CACHE=false``, so there the examples run again). Measured on two
busy cores: ~90 s cold, ~7 s warm. The wait is bounded by ``NNSCRATCH_SERVE_TIMEOUT``
seconds (default 600); on a timeout the failure shows the server's log.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.test_site_build import OFFHOST, ROOT

TIMEOUT = float(os.environ.get("NNSCRATCH_SERVE_TIMEOUT", "600"))
PNG = b"\x89PNG\r\n\x1a\n"
#: What a serve may leave in the repository: the examples' execution cache ``.cache/`` and
#: Python's byte-code cache of the hooks (``__pycache__/``, not written under
#: PYTHONDONTWRITEBYTECODE), both ignored by git. Nothing else may appear or change. The
#: snapshot also skips ``.git`` and ``.venv``.
SKIPPED_AT_ROOT = {".git", ".venv", ".cache"}
SKIPPED_ANYWHERE = {"__pycache__"}


def readme_serve_args() -> list[str]:
    """The arguments of ``mkdocs`` in the README's first command (``['serve']`` today)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.findall(r"```(?:bash|sh)\n(.*?)\n```", readme, re.DOTALL)[0]
    argv = shlex.split(command.split("&&")[-1])
    assert argv[0] == ".venv/bin/mkdocs" and "serve" in argv, command
    return argv[1:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_state() -> dict[str, tuple[int, int]]:
    """Size and mtime of every file of the checkout (but .git, .venv and the caches)."""
    state = {}
    for folder, dirs, names in os.walk(ROOT):
        skipped = SKIPPED_ANYWHERE | (SKIPPED_AT_ROOT if Path(folder) == ROOT else set())
        dirs[:] = [d for d in dirs if d not in skipped]
        for name in names:
            path = Path(folder, name)
            st = path.lstat()
            state[path.relative_to(ROOT).as_posix()] = (st.st_size, st.st_mtime_ns)
    return state


def _kernels_of(pid: int) -> list[int]:
    """Processes started for the server ``pid`` by jupyter_client (a kernel gets
    ``JPY_PARENT_PID=<pid>`` in its environment and a session of its own)."""
    found = []
    marker = f"JPY_PARENT_PID={pid}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if marker in env.split(b"\0"):
            found.append(int(entry.name))
    return found


@contextmanager
def _sigint_not_ignored():
    """Start children with SIGINT at its default: a shell's background job (``cmd &``) ignores
    SIGINT and its children inherit that, so ``mkdocs serve`` could not be stopped by Ctrl-C."""
    old = signal.getsignal(signal.SIGINT)
    if old is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class Server:
    """One ``mkdocs serve`` in the repository, its log in a file, its temp folder private."""

    def __init__(self, tmp: Path):
        self.tmp = tmp / "tmp"  # TMPDIR of the server: mkdocs makes its site folder here
        self.tmp.mkdir()
        self.log_path = tmp / "serve.log"
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.started = 0.0
        self.ready_after = 0.0

    def log(self) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text if len(text) < 8000 else "...\n" + text[-8000:]

    def start(self) -> None:
        for _attempt in range(3):  # another process may take the free port first
            port = _free_port()
            self.base = f"http://127.0.0.1:{port}"
            cmd = [sys.executable, "-m", "mkdocs", *readme_serve_args(),
                   "-a", f"127.0.0.1:{port}"]
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(self.tmp)}
            self.started = time.monotonic()
            with open(self.log_path, "w") as log, _sigint_not_ignored():
                self.proc = subprocess.Popen(
                    cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                )
            if self._wait_until_it_answers():
                return
            if "Address already in use" not in self.log():
                break
        pytest.fail(f"mkdocs serve did not start:\n{self.log()}", pytrace=False)

    def _wait_until_it_answers(self) -> bool:
        deadline = self.started + TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/", timeout=5) as r:
                    if r.status == 200:
                        self.ready_after = time.monotonic() - self.started
                        return True
            except (urllib.error.URLError, OSError):
                pass  # still building: the port is bound before the build, served after it
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"mkdocs serve did not answer within {TIMEOUT:.0f} s "
                    f"(NNSCRATCH_SERVE_TIMEOUT):\n{self.log()}", pytrace=False)

    def get(self, path: str) -> tuple[bytes, str]:
        url = urljoin(self.base + "/", path)
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.read(), r.headers.get_content_type()
        except urllib.error.HTTPError as err:
            pytest.fail(f"GET {url}: HTTP {err.code}\n{self.log()}", pytrace=False)

    def stop(self) -> int | None:
        """Ctrl-C, as a reader stops it; killed (and reported as None) if it does not stop."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    before = _tree_state()
    srv = Server(tmp_path_factory.mktemp("serve"))
    srv.before = before
    srv.start()
    yield srv
    srv.stop()
    for pid in _kernels_of(srv.proc.pid):  # only if the stop test did not run or failed
        os.kill(pid, signal.SIGKILL)


def _page(server, path: str) -> str:
    body, ctype = server.get(path)
    assert ctype == "text/html", f"{path}: {ctype}"
    html = body.decode("utf-8")
    # This is the served page, the one `mkdocs build` does not make: an absolute canonical link
    # to the server itself (it made the old guard abort the build).
    assert f'<link rel="canonical" href="{server.base}{path}">' in html, f"{path}: no canonical"
    assert "livereload" in html
    remote = OFFHOST.find_remote_loads(html)
    assert not remote, f"{path} loads from another host: {remote}"
    return html


def _check_local_loads(server, path: str, html: str, fetched: dict) -> int:
    """Fetch every (non-data) resource the page loads from the server; count them."""
    n = 0
    for load in OFFHOST.find_loads(html):
        if load.url.startswith(("data:", "#")) or not load.url:
            continue
        url = urljoin(server.base + path, load.url).split("#")[0]
        assert urlsplit(url).netloc == urlsplit(server.base).netloc, load
        if url not in fetched:
            body, _ = server.get(url)
            fetched[url] = len(body)
        assert fetched[url] > 0, f"{path}: {load.what} {load.url} is empty"
        n += 1
    return n


PAGES = ["/", "/softmax-gradient/", "/data/", "/examples/train_sample/"]


def test_serve_answers_with_the_book(server):
    fetched: dict = {}
    for path in PAGES:
        html = _page(server, path)
        n = _check_local_loads(server, path, html, fetched)
        assert n >= 5, f"{path}: only {n} resources loaded: the page is not the book's"
    home = _page(server, "/")
    assert "nnscratch" in home and 'href="softmax-gradient/"' in home
    chapter = _page(server, "/softmax-gradient/")
    assert 'class="arithmatex"' in chapter  # the derivation's math is on the page
    assert any(u.endswith("tex-mml-chtml.js") for u in fetched)  # MathJax served locally


def test_serve_executes_the_examples(server):
    html = _page(server, "/examples/train_sample/")
    assert "jp-OutputArea-output" in html, "the example was not executed"
    assert "Traceback" not in html
    # The hook writes each figure beside the page and the page shows it from that file
    # (docs/hooks/notebooks.py); under its name, which the example gives it.
    figures = re.findall(r'<img\b[^>]*\bsrc="([a-z0-9_-]+\.png)"', html)
    assert figures == ["train-sample-curve.png"], figures
    body, ctype = server.get("/examples/train_sample/train-sample-curve.png")
    assert ctype == "image/png" and body.startswith(PNG) and len(body) > 1000


def test_serve_shows_an_examples_figure_in_a_chapter(server):
    html = _page(server, "/data/")
    srcs = re.findall(r'<img\b[^>]*\bsrc="([^"]+\.png)"', html)
    assert srcs, "the data chapter shows no figure file"
    body, ctype = server.get(urljoin("/data/", srcs[0]))
    assert ctype == "image/png" and body.startswith(PNG) and len(body) > 1000


def test_serve_stops_cleanly(server):
    pid = server.proc.pid
    code = server.stop()
    assert code == 0, f"mkdocs serve did not stop on Ctrl-C (exit {code}):\n{server.log()}"
    # mkdocs removes its temporary site folder when it stops.
    left = [p.name for p in server.tmp.iterdir() if p.name.startswith("mkdocs_")]
    assert not left, f"mkdocs serve left its temporary site: {left}"
    deadline = time.monotonic() + 10  # an orphaned kernel notices its parent is gone in ~1 s
    while _kernels_of(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _kernels_of(pid), "Jupyter kernels of the server are still running"
    after = _tree_state()
    added = sorted(set(after) - set(server.before))
    changed = sorted(p for p in set(after) & set(server.before) if after[p] != server.before[p])
    removed = sorted(set(server.before) - set(after))
    assert not (added or changed or removed), (
        f"mkdocs serve touched the repository: added {added[:10]}, changed {changed[:10]}, "
        f"removed {removed[:10]}")
