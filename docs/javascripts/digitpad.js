/* The digit pad of docs/digit-pad.md: draw a digit and watch the network read it.

   Loaded by that page only (its own <script> tags), after models/digit-pad.js, which sets
   window.nnscratchModel: the weights of the model trained during the build, as written by
   nnscratch.export.model_to_js. Plain JavaScript: no framework, nothing from another host
   and no fetch, so the page works from any static host and from file:// alike.

   The parts between "--8<--" markers are shown on the page beside the Python they mirror.
   What the page's API offers (window.digitPad) is described at the end of this file. The
   body of the function below is not indented, so that those parts start at the margin. */
(function () {
"use strict";

// --8<-- [start:decode]
// One array of the exported model: its float32 values, little-endian, in base64.
function decodeArray(entry) {
  const bytes = atob(entry.base64);
  const view = new DataView(new ArrayBuffer(bytes.length));
  for (let i = 0; i < bytes.length; i++) view.setUint8(i, bytes.charCodeAt(i));
  const values = new Float32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
  return values;
}

// The layers l = 1..L: W[l] (n_l × n_{l-1}, row-major: W[j][k] at j * n_{l-1} + k), b[l].
function loadModel(exported) {
  if (!(exported.activation in ACTIVATIONS)) {
    throw new Error("unknown activation " + exported.activation);
  }
  const layers = [];
  for (let l = 1; l < exported.layer_sizes.length; l++) {
    const W = exported.arrays["W" + l], b = exported.arrays["b" + l];
    layers.push({ W: decodeArray(W), b: decodeArray(b), nOut: W.shape[0], nIn: W.shape[1] });
  }
  return { layers, activation: exported.activation, alpha: exported.alpha };
}
// --8<-- [end:decode]

// --8<-- [start:forward]
// Z = W A + b for one example (m = 1): A holds n_{l-1} numbers, Z gets n_l.
function linearForward(A, W, b, nOut, nIn) {
  const Z = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) {
    let z = b[j];
    for (let k = 0; k < nIn; k++) z += W[j * nIn + k] * A[k];
    Z[j] = z;
  }
  return Z;
}

function relu(Z) {
  return Z.map((z) => Math.max(z, 0));
}

function leakyRelu(Z, alpha) {
  return Z.map((z) => (z > 0 ? z : alpha * z));
}

const ACTIVATIONS = { relu: (Z, alpha) => relu(Z), leaky_relu: leakyRelu };

// Subtract the largest score first: every exponent is <= 0, so exp never overflows.
function softmax(Z) {
  const max = Math.max(...Z);
  const E = Z.map((z) => Math.exp(z - max));
  const sum = E.reduce((s, e) => s + e, 0);
  return E.map((e) => e / sum);
}

// Hidden layers A = g(W A + b), the output layer softmax. Returns A[L] and, for the
// page's panels, the activations A[1], ..., A[L] of every layer.
function forward(model, X) {
  const g = ACTIVATIONS[model.activation];
  const L = model.layers.length;
  const activations = [];
  let A = X;
  for (let l = 1; l <= L; l++) {
    const { W, b, nOut, nIn } = model.layers[l - 1];
    const Z = linearForward(A, W, b, nOut, nIn);
    A = l === L ? softmax(Z) : g(Z, model.alpha);
    activations.push(A);
  }
  return { AL: A, activations };
}
// --8<-- [end:forward]

// --8<-- [start:preprocess]
const FIELD = 28; // the network's input: FIELD × FIELD pixels, row-major
const BOX = 20; // the longer side of the ink's bounding box, in field pixels
const CENTRE = 13.5; // where the centre of mass goes (0-based pixel coordinates)
const INK = 0.05; // a pixel counts as ink above this level (as in the sample check)

// Pixel i of a row (or column) covers [i - 1/2, i + 1/2]. Mapped by u = s (i - c) + CENTRE,
// it overlaps one or two field pixels J (each covering [J - 1/2, J + 1/2]): [[J, length]].
function overlaps(n, s, c) {
  const weights = [];
  for (let i = 0; i < n; i++) {
    const lo = s * (i - 0.5 - c) + CENTRE, hi = s * (i + 0.5 - c) + CENTRE;
    const cells = [];
    const last = Math.min(FIELD - 1, Math.floor(hi + 0.5));
    for (let J = Math.max(0, Math.floor(lo + 0.5)); J <= last; J++) {
      const length = Math.min(hi, J + 0.5) - Math.max(lo, J - 0.5);
      if (length > 0) cells.push([J, length]);
    }
    weights.push(cells);
  }
  return weights;
}

// Area resampling: each field pixel gets the ink of the part of the picture it covers,
// so a field pixel inside a solid stroke is 1 and one on its edge a grey level. The map
// is the same along every row and every column: resample across the rows, then down.
function resample(ink, width, height, s, cx, cy) {
  const rows = overlaps(height, s, cy), cols = overlaps(width, s, cx);
  const across = new Float64Array(height * FIELD);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = ink[r * width + c];
      if (v === 0) continue;
      for (const [C, wx] of cols[c]) across[r * FIELD + C] += v * wx;
    }
  }
  const out = new Float64Array(FIELD * FIELD);
  for (let r = 0; r < height; r++) {
    for (const [R, wy] of rows[r]) {
      for (let C = 0; C < FIELD; C++) out[R * FIELD + C] += wy * across[r * FIELD + C];
    }
  }
  return out;
}

function centreOfMass(values, width, height) {
  let mass = 0, x = 0, y = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = values[r * width + c];
      mass += v;
      x += v * c;
      y += v * r;
    }
  }
  return { mass, x: x / mass, y: y / mass };
}

function boundingBox(ink, width, height) {
  let top = height, bottom = -1, left = width, right = -1;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (ink[r * width + c] > INK) {
        top = Math.min(top, r); bottom = Math.max(bottom, r);
        left = Math.min(left, c); right = Math.max(right, c);
      }
    }
  }
  return bottom < 0 ? null : { width: right - left + 1, height: bottom - top + 1 };
}

// The same numbers as a CSV of integers 0..255 gives after "pixel / 255".
function quantise(values) {
  return values.map((v) => Math.round(255 * Math.min(1, Math.max(0, v))) / 255);
}

// The ink of the pad (values in [0, 1], row-major, width × height) -> the network's
// 784 inputs: scale the bounding box to a longer side of BOX pixels, put the centre of
// mass on (CENTRE, CENTRE). The grey levels move the centre of mass a little; it is
// measured again and the picture moved by what is left (at most a few times).
function preprocess(ink, width, height) {
  const box = boundingBox(ink, width, height);
  if (box === null) return null;
  const s = BOX / Math.max(box.width, box.height);
  let { x: cx, y: cy } = centreOfMass(ink, width, height);
  let pixels = null;
  for (let pass = 0; pass < 4; pass++) {
    pixels = quantise(resample(ink, width, height, s, cx, cy));
    const got = centreOfMass(pixels, FIELD, FIELD);
    if (!(got.mass > 0) || Math.hypot(got.x - CENTRE, got.y - CENTRE) < 0.02) break;
    cx += (got.x - CENTRE) / s;
    cy += (got.y - CENTRE) / s;
  }
  return pixels;
}
// --8<-- [end:preprocess]

// ------------------------------------------------------------------------------------
// The page: the pad, its panels and window.digitPad.
// ------------------------------------------------------------------------------------

const SIZE = 280; // the pad's own pixels, whatever its size on the screen
const BRUSH = 20; // the brush's width in those pixels
const SOFT = 6; // the blur of its edge
const UNITS = 8; // how many first-layer units the panel shows
const POSITIVE = [214, 39, 40], NEGATIVE = [31, 119, 180]; // weight image colours

function opaque(cssColour) {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(cssColour);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

function argmax(values) {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

function checkPixels(pixels) {
  if (pixels == null || pixels.length !== FIELD * FIELD) {
    throw new TypeError("digitPad.classify takes 784 numbers (28 × 28, row-major)");
  }
  const X = Float64Array.from(pixels, Number);
  if (!X.every(Number.isFinite)) throw new TypeError("digitPad.classify: not all numbers");
  return X;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// The ten bars of the softmax: [{row, fill, value}] for the digits 0..9.
function makeBars(container) {
  const bars = [];
  for (let k = 0; k < 10; k++) {
    const row = el("div", "dp-bar");
    row.dataset.digit = String(k);
    const track = el("span", "dp-track"), fill = el("span", "dp-fill");
    track.append(fill);
    const value = el("span", "dp-p", "–");
    row.append(el("span", "dp-digit", String(k)), track, value);
    container.append(row);
    bars.push({ row, fill, value });
  }
  return bars;
}

function makeUnits(container) {
  const slots = [];
  for (let i = 0; i < UNITS; i++) {
    const figure = el("figure", "dp-unit");
    const canvas = el("canvas");
    canvas.width = canvas.height = FIELD;
    const caption = el("figcaption"), name = el("span"), value = el("span");
    caption.append(name, value);
    figure.append(canvas, caption);
    figure.hidden = true;
    container.append(figure);
    slots.push({ figure, canvas, name, value });
  }
  return slots;
}

function drawField(canvas, colourAt) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(FIELD, FIELD);
  for (let i = 0; i < FIELD * FIELD; i++) image.data.set(colourAt(i), 4 * i);
  ctx.putImageData(image, 0, 0);
}

function createPad(root, model) {
  const canvas = root.querySelector('[data-digit-pad="draw"]');
  const inputView = root.querySelector('[data-digit-pad="input"]');
  const status = root.querySelector('[data-digit-pad="status"]');
  const exportButton = root.querySelector('[data-digit-pad="export"]');
  const bars = makeBars(root.querySelector('[data-digit-pad="bars"]'));
  const units = makeUnits(root.querySelector('[data-digit-pad="units"]'));
  canvas.width = canvas.height = SIZE;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const W1 = model.layers[0];
  const strokes = [];
  let active = null, frame = 0;

  const api = {
    input: null, probabilities: null, prediction: null, updates: 0,
    classify: (pixels) => Array.from(forward(model, checkPixels(pixels)).AL),
    preprocess: (ink, width, height) => {
      const pixels = preprocess(Float64Array.from(ink, Number), width, height);
      return pixels && Array.from(pixels);
    },
    clear,
    csv,
  };

  function render() {
    const ink = "rgb(" + opaque(getComputedStyle(canvas).color).join(",") + ")";
    ctx.clearRect(0, 0, SIZE, SIZE);
    Object.assign(ctx, {
      lineWidth: BRUSH, lineCap: "round", lineJoin: "round", strokeStyle: ink,
      shadowColor: ink, shadowBlur: SOFT,
    });
    ctx.beginPath();
    for (const points of strokes) {
      ctx.moveTo(points[0].x, points[0].y);
      for (const p of points.slice(1)) ctx.lineTo(p.x, p.y);
      if (points.length === 1) ctx.lineTo(points[0].x + 0.01, points[0].y);
    }
    ctx.stroke();
  }

  function showInput() {
    const rgb = opaque(getComputedStyle(inputView).color);
    const x = api.input || [];
    drawField(inputView, (i) => [...rgb, Math.round(255 * (x[i] || 0))]);
  }

  function showUnits(A1) {
    const order = A1 ? Array.from(A1.keys()).sort((i, j) => A1[j] - A1[i]) : [];
    units.forEach((slot, n) => {
      const j = order[n];
      slot.figure.hidden = j === undefined || !(A1[j] > 0);
      if (slot.figure.hidden) return;
      const w = W1.W.subarray(j * W1.nIn, (j + 1) * W1.nIn);
      const scale = Math.max(...w.map(Math.abs)) || 1;
      drawField(slot.canvas, (i) => [...(w[i] > 0 ? POSITIVE : NEGATIVE),
        Math.round(255 * Math.abs(w[i]) / scale)]);
      slot.name.textContent = "unit " + j;
    slot.value.textContent = "a = " + A1[j].toFixed(2);
      slot.figure.dataset.unit = String(j);
    });
  }

  function showOutputs(A1) {
    const p = api.probabilities;
    bars.forEach((bar, k) => {
      bar.fill.style.width = p ? (100 * p[k]).toFixed(1) + "%" : "0";
      bar.value.textContent = p ? p[k].toFixed(3) : "–";
      bar.row.classList.toggle("dp-predicted", api.prediction === k);
    });
    showInput();
    showUnits(A1);
    exportButton.disabled = api.input === null;
    status.textContent = api.input === null ? "Draw a digit."
      : "The network reads a " + api.prediction + " (probability "
        + p[api.prediction].toFixed(3) + ").";
  }

  // Draw, preprocess, classify, show: once per animation frame at most while drawing,
  // and once more, synchronously, when a stroke ends (then the API's fields are final).
  function update() {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    render();
    let x = null;
    if (strokes.length) {
      const alpha = ctx.getImageData(0, 0, SIZE, SIZE).data;
      const ink = new Float64Array(SIZE * SIZE);
      for (let i = 0; i < ink.length; i++) ink[i] = alpha[4 * i + 3] / 255;
      x = preprocess(ink, SIZE, SIZE);
    }
    let A1 = null;
    if (x === null) {
      Object.assign(api, { input: null, probabilities: null, prediction: null });
    } else {
      const result = forward(model, x);
      A1 = result.activations[0];
      api.input = Array.from(x);
      api.probabilities = Array.from(result.AL);
      api.prediction = argmax(api.probabilities);
    }
    api.updates += 1;
    showOutputs(A1);
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(update);
  }

  function clear() {
    strokes.length = 0;
    active = null;
    update();
  }

  function csv() {
    if (api.input === null) return null;
    const header = Array.from({ length: FIELD * FIELD }, (_, j) => "pixel" + j).join(",");
    return header + "\n" + api.input.map((v) => Math.round(255 * v)).join(",") + "\n";
  }

  function padPoint(e) {
    const rect = canvas.getBoundingClientRect();
    return { x: (e.clientX - rect.left) * SIZE / rect.width,
             y: (e.clientY - rect.top) * SIZE / rect.height };
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (active || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch (err) { /* a synthetic event's pointer cannot be captured */ }
    active = { id: e.pointerId, points: [padPoint(e)] };
    strokes.push(active.points);
    schedule();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!active || e.pointerId !== active.id) return;
    const coalesced = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const ev of coalesced.length ? coalesced : [e]) active.points.push(padPoint(ev));
    schedule();
  });
  const end = (e) => {
    if (!active || e.pointerId !== active.id) return;
    active = null;
    update();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  root.querySelector('[data-digit-pad="clear"]').addEventListener("click", clear);
  exportButton.addEventListener("click", () => {
    const text = csv();
    if (text === null) return;
    const a = el("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    a.download = "test.csv";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof Element
      && e.target.closest("input, textarea, select, [contenteditable]");
    if (e.key === "Escape" && !typing) clear();
  });
  // Light or dark: the ink follows the page's colours (the inputs do not change).
  new MutationObserver(() => { render(); showInput(); }).observe(document.body,
    { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  showOutputs(null);
  return api;
}

function init() {
  const root = document.querySelector('[data-digit-pad="root"]');
  if (!root) return;
  const status = root.querySelector('[data-digit-pad="status"]');
  try {
    if (!window.nnscratchModel) throw new Error("the model's weights did not load");
    window.digitPad = createPad(root, loadModel(window.nnscratchModel));
    root.dataset.ready = "true";
    performance.mark("digit-pad:ready");
  } catch (err) {
    status.textContent = "The digit pad cannot start: " + err.message;
    console.error("digit pad:", err);
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
})();

/* window.digitPad, once the page has loaded:
   - classify(pixels): 784 numbers in [0, 1] (28 × 28, row-major) -> the 10 probabilities;
   - input, probabilities, prediction: after each stroke, the 784 values the network saw,
     its 10 outputs and the predicted digit (null while the pad is empty);
   - clear(): empties the pad; csv(): the drawn digit as a one-row Kaggle test.csv;
   - preprocess(ink, width, height): the preprocessing alone, for any picture of ink;
   - updates: how many times the outputs were computed (at most once per frame). */
