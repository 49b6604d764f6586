"""The digit pad (docs/digit-pad.md) in headless Chromium, served over HTTP and from file://.

The built site comes from ``built_site()`` (tests/test_site_build.py); the model is the one
the build hook trained and the page links (``models/digit-pad.npz``), its export for the
page ``models/digit-pad.js``. Strokes are drawn through the Chrome DevTools Protocol as
real mouse, pen and touch input (``Input.dispatchMouseEvent`` / ``dispatchTouchEvent``),
along polylines written below (not traced from sample digits), in the pad's own
coordinates so that every viewport draws the same strokes.

Set ``NNSCRATCH_SCREENSHOTS`` to a folder to keep the screenshots of the light, dark and
phone-sized pages (otherwise they go to pytest's temporary folder).
"""

import concurrent.futures
import functools
import http.server
import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from nnscratch.data import load_sample, train_test_split
from nnscratch.export import model_from_js
from nnscratch.modelfile import load_model
from nnscratch.network import forward
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, REQUIRE
from tests.test_site_build import built_site

PAGE = "digit-pad/index.html"
MODEL, WEIGHTS = "models/digit-pad.npz", "models/digit-pad.js"
#: Material's search reads search/search_index.js when the site is opened from file://, a
#: file that only its offline plugin writes: the one failure allowed there (not ours).
FILE_SEARCH_INDEX = "search/search_index.js"

# --- Digits written as polylines in a unit box (x right, y down) ------------------------


def _ellipse(turns: float = 1.04, n: int = 48) -> list[tuple[float, float]]:
    return [(0.5 + 0.36 * math.sin(t), 0.5 - 0.5 * math.cos(t))
            for t in np.linspace(0.0, 2 * math.pi * turns, n)]


DIGITS = {
    1: [[(0.56, 0.0), (0.44, 1.0)]],
    0: [_ellipse()],
    7: [[(0.08, 0.04), (0.92, 0.04), (0.42, 1.0)]],
}
FOUR = [[(0.62, 0.0), (0.05, 0.66), (0.95, 0.66)], [(0.7, 0.3), (0.7, 1.0)]]  # two strokes
SIZES = (0.4, 0.6, 0.85)
"""The digit's height as a fraction of the pad's side."""


def off_centre(size: float) -> list[tuple[float, float]]:
    """Two centres for a digit of ``size``: up-left and down-right, inside the pad."""
    d = 0.4 * (1 - size)
    return [(0.5 - d, 0.5 - d), (0.5 + d, 0.5 + 0.6 * d)]


def place(strokes, size: float, centre: tuple[float, float]) -> list[list[tuple]]:
    """The strokes scaled to ``size`` and moved to ``centre``, in fractions of the pad."""
    cx, cy = centre
    return [[(cx + (x - 0.5) * size, cy + (y - 0.5) * size) for x, y in s] for s in strokes]


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    """(row, column), 0-based pixel coordinates, of a 784-vector read as 28 × 28."""
    img = x.reshape(28, 28)
    index = np.arange(28)
    return float(img.sum(axis=1) @ index / img.sum()), float(img.sum(axis=0) @ index / img.sum())


def long_side(x: np.ndarray, level: float = 0.05) -> int:
    rows, cols = np.nonzero(x.reshape(28, 28) > level)
    return int(max(rows.max() - rows.min(), cols.max() - cols.min()) + 1)


# --- Fixtures --------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()


@pytest.fixture(scope="session")
def http_base(site):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session", params=["http", "file"])
def base(request, site):
    """The site's root URL: served by http.server, or the folder itself (file://)."""
    if request.param == "http":
        return request.getfixturevalue("http_base")
    return site.resolve().as_uri() + "/"


#: Chromium runs in a thread of its own: Playwright's sync API refuses to start in a thread
#: where it already runs (tests/test_browser.py's session browser, in a run of the whole
#: suite). The browser, the pages and every browser test's body live in that thread.
CHROMIUM_THREAD = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="chromium")


def in_chromium_thread(test):
    """Run the test's body in :data:`CHROMIUM_THREAD` (its failures are raised here)."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        return CHROMIUM_THREAD.submit(test, *args, **kwargs).result()
    return run


def _launch():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    return playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser():
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed"
    if reason:
        if REQUIRE:
            pytest.fail(f"NNSCRATCH_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason} (apt-get install -y chromium)")
    playwright, b = CHROMIUM_THREAD.submit(_launch).result()
    yield b
    CHROMIUM_THREAD.submit(lambda: (b.close(), playwright.stop())).result()


@pytest.fixture(scope="session")
def model(site):
    params, meta = load_model(site / MODEL)
    return params, meta


class Pad:
    """The page opened in a fresh browser context, with what it requested and what failed."""

    def __init__(self, browser, base: str, **options):
        self.base = base
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.requests, self.problems = [], []
        self.context.route("**/*", self._route)
        self.page.on("request", lambda r: self.requests.append(r))
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url} ({r.failure})"))
        self.page.goto(base + PAGE, wait_until="load")
        self.page.wait_for_function("() => window.digitPad", timeout=15000)
        self.cdp = self.context.new_cdp_session(self.page)

    def _route(self, route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob", "file", "about") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def real_problems(self) -> list[str]:
        """The problems, without Material's search index under file:// (see the constant)."""
        if not self.base.startswith("file:"):
            return self.problems
        allowed = ("Failed to load resource: net::ERR_FILE_NOT_FOUND", FILE_SEARCH_INDEX)
        return [p for p in self.problems if not any(a in p for a in allowed)]

    def stroke(self, points: list[tuple[float, float]], kind: str) -> None:
        """One stroke through ``points`` (fractions of the pad), one point every ~8 CSS pixels."""
        left, top, width = self.page.eval_on_selector(
            '[data-digit-pad="draw"]',
            "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width]; }")
        xy = [(left + width * x, top + width * y) for x, y in points]
        path = [xy[0]]
        for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False):
            n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / 8))
            path += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
        if kind == "touch":
            send = self.cdp.send
            send("Input.dispatchTouchEvent", {"type": "touchStart",
                                              "touchPoints": [{"x": path[0][0], "y": path[0][1]}]})
            for x, y in path[1:]:
                send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                  "touchPoints": [{"x": x, "y": y}]})
            send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            return
        common = {"button": "left", "pointerType": kind}
        self.cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": path[0][0],
                      "y": path[0][1], "buttons": 1, "clickCount": 1, **common})
        for x, y in path[1:]:
            self.cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y,
                                                       "buttons": 1, **common})
        self.cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": path[-1][0],
                      "y": path[-1][1], "buttons": 0, "clickCount": 1, **common})

    def draw(self, strokes, kind: str = "mouse") -> dict:
        """Clear the pad, draw ``strokes``; return input, probabilities and prediction."""
        self.page.evaluate("digitPad.clear()")
        for points in strokes:
            self.stroke(points, kind)
        return self.state()

    def state(self) -> dict:
        s = self.page.evaluate("() => ({input: digitPad.input, probabilities: "
                               "digitPad.probabilities, prediction: digitPad.prediction})")
        if s["input"] is not None:
            s["input"], s["probabilities"] = np.array(s["input"]), np.array(s["probabilities"])
        return s

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_pad(browser):
    opened = []

    def open_(base: str, **options) -> Pad:
        pad = Pad(browser, base, **options)   # called in CHROMIUM_THREAD, by the test
        opened.append(pad)
        return pad

    yield open_
    for pad in opened:
        CHROMIUM_THREAD.submit(pad.close).result()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("NNSCRATCH_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("digit-pad-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- The model and its export (no browser) ----------------------------------------------


def test_page_links_the_model_and_loads_its_export_with_script_tags(site):
    html = (site / PAGE).read_text(encoding="utf-8")
    assert '<a data-digit-pad="model" download="digit-pad.npz" href="../models/digit-pad.npz"' \
        in html
    scripts = [s for s in ("../models/digit-pad.js", "../javascripts/digitpad.js")
               if f'<script src="{s}"></script>' in html]
    assert len(scripts) == 2, "the weights and the pad are loaded by <script src>"
    assert html.index("../models/digit-pad.js") < html.index("../javascripts/digitpad.js")
    source = (site / "javascripts" / "digitpad.js").read_text(encoding="utf-8")
    for word in ("fetch(", "XMLHttpRequest", "import(", "http://", "https://"):
        assert word not in source, f"digitpad.js uses {word!r}"
    others = [p for p in site.rglob("index.html") if p != site / PAGE]
    assert not any("digitpad.js" in p.read_text(encoding="utf-8") for p in others)


def test_export_holds_exactly_the_model_files_weights(site, model):
    params, meta = model
    weights = site / WEIGHTS
    assert weights.stat().st_size <= 1_500_000
    exported, js_model = model_from_js(weights.read_text(encoding="utf-8"))
    assert list(exported) == list(params)
    for k in params:
        assert params[k].dtype == np.float32
        assert np.array_equal(exported[k], params[k]), k
    assert js_model["layer_sizes"] == meta["layer_sizes"] == [784, 256, 128, 10]
    assert js_model["activation"] == meta["activation"]
    import hashlib

    assert js_model["meta"]["model_sha256"] == hashlib.sha256((site / MODEL).read_bytes()
                                                              ).hexdigest()


def test_model_is_the_recipe_of_the_page_and_scores_what_the_page_says(site, model, tmp_path):
    import re

    from nnscratch.cli import build_parser, fresh_plan

    _, meta = model
    html = (site / PAGE).read_text(encoding="utf-8")
    command = re.search(r"nnscratch train (--data sample[^<\n]*) --out digit-pad\.npz",
                        re.sub(r"<[^>]+>", "", html))
    assert command, "the page shows the command that made its model"
    plan = fresh_plan(build_parser().parse_args(["train", *command[1].split(), "--out", "x"]))
    assert meta["training"] == plan.config.to_dict()
    assert meta["complete"] is True
    assert (meta["data"]["source"], meta["data"]["split_seed"], meta["data"]["test_fraction"]) \
        == ("sample", plan.split_seed, plan.test_fraction)
    # The reader's check: `nnscratch evaluate --model digit-pad.npz` on the downloaded file.
    out = subprocess.run([sys.executable, "-m", "nnscratch", "evaluate", "--model",
                          str(site / MODEL), "--json"], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    evaluation = json.loads(out.stdout)
    assert evaluation["accuracy"] >= 0.95 and evaluation["n"] >= 500
    shown = re.search(r'<span class="nn-value" data-digit-pad="accuracy" '
                      r'data-source="digit-pad.npz" title="([^"]+)">([\d.]+)%</span>', html)
    assert shown and float(shown[2]) == round(100 * evaluation["accuracy"], 1)
    assert shown[1].startswith("nnscratch evaluate --model digit-pad.npz")
    assert (f'<span class="nn-value" data-digit-pad="held-out" data-source="digit-pad.npz" '
            f'title="{shown[1]}">{evaluation["n"]:,}</span>') in html


# --- The page in the browser ------------------------------------------------------------


@in_chromium_thread
def test_classify_agrees_with_numpy_forward(open_pad, base, model):
    params, meta = model
    data = load_sample()
    _, _, X_test, y_test = train_test_split(data.X, data.y, meta["data"]["test_fraction"],
                                            meta["data"]["split_seed"])
    X = X_test[:, :600]                                           # float32, (784, 600)
    pad = open_pad(base)
    got = np.array(json.loads(pad.page.evaluate(
        "s => JSON.stringify(JSON.parse(s).map(x => digitPad.classify(x)))",
        json.dumps(X.T.tolist())))).T
    A32, _ = forward(params, X, meta["activation"], meta["alpha"])
    A64, _ = forward({k: v.astype(np.float64) for k, v in params.items()}, X.astype(np.float64),
                     meta["activation"], meta["alpha"])
    diff32, diff64 = float(np.abs(got - A32).max()), float(np.abs(got - A64).max())
    print(f"\n{base[:5]}: {X.shape[1]} digits, max |JS - NumPy float32| = {diff32:.2e}, "
          f"max |JS - NumPy float64| = {diff64:.2e}")
    assert diff32 <= 1e-5
    assert diff64 <= 1e-9                         # the same arithmetic, in double precision
    assert np.array_equal(got.argmax(axis=0), A32.argmax(axis=0))
    assert float((got.argmax(axis=0) == y_test[:600]).mean()) >= 0.9
    with pytest.raises(Exception, match="784 numbers"):
        pad.page.evaluate("digitPad.classify([0, 1])")
    assert not pad.real_problems(), pad.real_problems()


@pytest.mark.parametrize("digit", sorted(DIGITS))
@in_chromium_thread
def test_drawn_digits_are_read_and_prepared_like_mnist(open_pad, http_base, digit):
    pad = open_pad(http_base)
    for size in SIZES:
        for centre in off_centre(size):
            s = pad.draw(place(DIGITS[digit], size, centre))
            where = f"a {digit} of size {size} at {centre}"
            assert s["prediction"] == digit, f"{where} read as {s['prediction']}"
            x = s["input"]
            assert x.shape == (784,) and x.min() >= 0 and x.max() <= 1
            assert np.array_equal(np.round(255 * x) / 255, x), "values are k / 255"
            row, col = centre_of_mass(x)
            assert math.hypot(row - 13.5, col - 13.5) <= 0.5, (where, row, col)
            assert abs(long_side(x) - 20) <= 1, (where, long_side(x))
    assert not pad.real_problems(), pad.real_problems()


@in_chromium_thread
def test_touch_and_pen_strokes_give_the_mouse_input(open_pad, http_base):
    pad = open_pad(http_base, has_touch=True)
    for strokes in (place(DIGITS[7], 0.6, (0.45, 0.5)), place(FOUR, 0.7, (0.5, 0.5))):
        by_kind = {kind: pad.draw(strokes, kind) for kind in ("mouse", "touch", "pen")}
        assert by_kind["mouse"]["input"] is not None
        for kind in ("touch", "pen"):
            assert np.array_equal(by_kind[kind]["input"], by_kind["mouse"]["input"]), kind
            assert by_kind[kind]["prediction"] == by_kind["mouse"]["prediction"]
    assert not pad.problems, pad.problems


FRAMES_JS = """async () => {
  const pad = document.querySelector('[data-digit-pad="draw"]');
  const r = pad.getBoundingClientRect();
  const send = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {
    pointerId: 7, pointerType: "mouse", isPrimary: true, button: 0,
    buttons: type === "pointerup" ? 0 : 1, bubbles: true, cancelable: true,
    clientX: r.left + x * r.width, clientY: r.top + y * r.height}));
  digitPad.clear();
  const start = digitPad.updates;
  send("pointerdown", 0.5, 0.2);
  for (let i = 1; i <= 50; i++) send("pointermove", 0.5 + 0.1 * i / 50, 0.2 + 0.6 * i / 50);
  const beforeFrame = digitPad.updates - start;
  await new Promise(requestAnimationFrame);
  const afterFrame = digitPad.updates - start;
  const inputInFrame = digitPad.input;
  send("pointerup", 0.6, 0.8);
  const afterUp = digitPad.updates - start;
  const alpha = pad.getContext("2d").getImageData(0, 0, pad.width, pad.height).data;
  const ink = Array.from({length: pad.width * pad.height}, (_, i) => alpha[4 * i + 3] / 255);
  return {beforeFrame, afterFrame, afterUp, inputInFrame, input: digitPad.input,
          fromCanvas: digitPad.preprocess(ink, pad.width, pad.height),
          probabilities: digitPad.probabilities, prediction: digitPad.prediction,
          again: digitPad.classify(digitPad.input)};
}"""


@in_chromium_thread
def test_recomputed_once_per_frame_and_final_after_pointerup(open_pad, http_base):
    pad = open_pad(http_base)
    r = pad.page.evaluate(FRAMES_JS)
    assert (r["beforeFrame"], r["afterFrame"], r["afterUp"]) == (0, 1, 2)
    assert r["inputInFrame"] is not None
    assert r["input"] == r["fromCanvas"], "the fields describe the finished drawing"
    assert r["probabilities"] == r["again"]
    assert r["prediction"] == int(np.argmax(r["probabilities"])) == 1
    assert not pad.problems, pad.problems


@in_chromium_thread
def test_panels_show_the_input_the_softmax_and_the_most_active_units(open_pad, http_base,
                                                                   model):
    params, meta = model
    pad = open_pad(http_base)
    s = pad.draw(place(DIGITS[0], 0.7, (0.5, 0.5)))
    page = pad.page
    alpha = page.eval_on_selector('[data-digit-pad="input"]', """c => Array.from(
        c.getContext("2d").getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 3))""")
    assert np.array_equal(np.array(alpha), np.round(255 * s["input"]))
    rows = page.eval_on_selector_all(".dp-bar", "rs => rs.map(r => [r.dataset.digit, "
                                     "r.querySelector('.dp-p').textContent, "
                                     "r.classList.contains('dp-predicted')])")
    assert [r[0] for r in rows] == [str(k) for k in range(10)]
    assert [r[1] for r in rows] == [f"{p:.3f}" for p in s["probabilities"]]
    assert [k for k, r in enumerate(rows) if r[2]] == [s["prediction"]] == [0]
    A1 = np.maximum(params["W1"].astype(np.float64) @ s["input"]
                    + params["b1"][:, 0].astype(np.float64), 0)
    shown = page.eval_on_selector_all(".dp-unit:not([hidden])", "fs => fs.map(f => "
                                      "Number(f.dataset.unit))")
    assert shown == list(np.argsort(-A1, kind="stable")[:8])
    assert meta["activation"] == "relu"
    assert not pad.problems, pad.problems


@in_chromium_thread
def test_clear_button_and_escape_empty_the_pad(open_pad, http_base):
    pad = open_pad(http_base, viewport={"width": 1280, "height": 900})
    page = pad.page
    empty_js = ("() => { const c = document.querySelector('[data-digit-pad=\"draw\"]');"
                " return c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
                ".every((v, i) => i % 4 !== 3 || v === 0); }")
    pad.draw(place(DIGITS[1], 0.6, (0.5, 0.5)))
    assert page.locator('[data-digit-pad="export"]').is_enabled()
    page.locator('[data-digit-pad="clear"]').click()
    assert pad.state()["input"] is None and page.evaluate(empty_js)
    assert page.locator('[data-digit-pad="export"]').is_disabled()
    pad.draw(place(DIGITS[1], 0.6, (0.5, 0.5)))
    page.locator("input.md-search__input").click()   # Escape while typing a search: no
    page.keyboard.press("Escape")
    assert pad.state()["input"] is not None
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    assert pad.state()["input"] is None and page.evaluate(empty_js)
    assert not pad.problems, pad.problems


@in_chromium_thread
def test_exported_csv_round_trips_through_nnscratch_predict(open_pad, base, site, model,
                                                           tmp_path):
    params, meta = model
    pad = open_pad(base, accept_downloads=True)
    for digit in sorted(DIGITS):
        s = pad.draw(place(DIGITS[digit], 0.6, (0.45, 0.55)))
        with pad.page.expect_download() as download:
            pad.page.locator('[data-digit-pad="export"]').click()
        assert download.value.suggested_filename == "test.csv"
        csv = tmp_path / f"{digit}" / "test.csv"
        csv.parent.mkdir()
        download.value.save_as(csv)
        header, row, *rest = csv.read_text().split("\n")
        assert header == ",".join(f"pixel{j}" for j in range(784)) and rest == [""]
        values = np.array([int(v) for v in row.split(",")])
        assert np.array_equal(values, np.round(255 * s["input"]))
        out = subprocess.run([sys.executable, "-m", "nnscratch", "predict", "--model",
                              str(site / MODEL), "--data", "test.csv", "--out", "sub.csv"],
                             cwd=csv.parent, capture_output=True, text=True, check=True)
        assert "wrote 1 predictions" in out.stdout
        assert (csv.parent / "sub.csv").read_text() == f"ImageId,Label\n1,{s['prediction']}\n"
        assert s["prediction"] == digit
        A, _ = forward(params, (values / 255).astype(np.float32).reshape(784, 1),
                       meta["activation"], meta["alpha"])
        assert float(np.abs(A[:, 0] - s["probabilities"]).max()) <= 1e-5
    assert not pad.real_problems(), pad.real_problems()


@in_chromium_thread
def test_nothing_is_loaded_from_another_host_nor_fetched(open_pad, base):
    pad = open_pad(base)
    assert pad.draw(place(DIGITS[7], 0.6, (0.55, 0.45)))["prediction"] == 7
    pad.page.wait_for_timeout(300)
    site_root = urlsplit(base)
    for r in pad.requests:
        u = urlsplit(r.url)
        assert u.scheme in ("data", "blob", site_root.scheme), r.url
        if u.scheme in ("http", "https"):
            assert u.netloc == site_root.netloc, r.url
    by_url = {r.url.removeprefix(base): r.resource_type for r in pad.requests}
    assert by_url[WEIGHTS] == "script" and by_url["javascripts/digitpad.js"] == "script"
    fetched = [u for u, kind in by_url.items() if kind in ("fetch", "xhr")]
    assert set(fetched) <= {"search/search_index.json"}, fetched   # Material's search
    assert not pad.real_problems(), pad.real_problems()


@in_chromium_thread
def test_a_missing_weights_file_is_reported_on_the_page(browser, http_base):
    context = browser.new_context()
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.route("**/models/digit-pad.js", lambda route: route.fulfill(status=404))
        page.goto(http_base + PAGE, wait_until="load")
        status = page.locator('[data-digit-pad="status"]').text_content()
        assert status.startswith("The digit pad cannot start"), status
        assert page.evaluate("window.digitPad === undefined")
        assert any("digit pad" in e for e in errors), errors
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@in_chromium_thread
def test_light_and_dark_mode(open_pad, http_base, shots, scheme):
    pad = open_pad(http_base, color_scheme=scheme, viewport={"width": 1280, "height": 1000})
    page = pad.page
    assert page.evaluate("document.body.dataset.mdColorScheme") == \
        {"light": "default", "dark": "slate"}[scheme]
    s = pad.draw(place(DIGITS[7], 0.6, (0.5, 0.5)))
    assert s["prediction"] == 7
    reference = open_pad(http_base, color_scheme="light").draw(place(DIGITS[7], 0.6, (0.5, 0.5)))
    assert np.array_equal(s["input"], reference["input"]), "the colours do not change the input"
    ink = page.eval_on_selector('[data-digit-pad="draw"]', """c => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let sum = 0, n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] === 255) { sum += d[i]; n++; }
        return sum / n; }""")
    assert (ink < 100) if scheme == "light" else (ink > 160), ink
    page.evaluate("window.scrollTo(0, document.querySelector('.digit-pad')"
                  ".getBoundingClientRect().top + window.scrollY - 80)")
    page.screenshot(path=shots / f"digit-pad-{scheme}.png")
    assert not pad.problems, pad.problems


@in_chromium_thread
def test_phone_sized_viewport_with_touch(open_pad, http_base, shots):
    pad = open_pad(http_base, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                   is_mobile=True, has_touch=True)
    page = pad.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    left, right = page.eval_on_selector('[data-digit-pad="draw"]', "e => { const r = "
                                        "e.getBoundingClientRect(); return [r.left, r.right]; }")
    assert 0 <= left and right <= 390 and right - left >= 300
    scroll_y = page.evaluate("window.scrollY")
    for digit in sorted(DIGITS):
        s = pad.draw(place(DIGITS[digit], 0.6, (0.5, 0.5)), kind="touch")
        assert s["prediction"] == digit
    assert page.evaluate("window.scrollY") == scroll_y, "drawing must not scroll the page"
    for part, name in ((".digit-pad", "phone"), (".dp-softmax", "phone-softmax")):
        page.evaluate("p => window.scrollTo(0, document.querySelector(p)"
                      ".getBoundingClientRect().top + window.scrollY - 72)", part)
        page.screenshot(path=shots / f"digit-pad-{name}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not pad.problems, pad.problems
