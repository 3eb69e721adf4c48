// The page: the only module that touches the DOM. Drawing, the backend
// chooser, results and model facts; preprocessing and TF.js live in their
// own modules.

import {
  BACKENDS, BACKEND_NAMES, hesitation, loadModel, predictBatch, predictOne, useBackend,
} from "./model.js";
import { EmptyDrawingError, preprocess } from "./preprocess.js";

const $ = (id) => document.getElementById(id);

const pad = $("pad");
const pen = pad.getContext("2d", { willReadFrequently: true });
// The pad's size, the pen's width and the pause before a drawing is read come
// from the export's model-info.json ("pad", the library's drawing_pad), as the
// dashboard's canvas has them: never restated here.
const state = { model: null, backend: null, timer: null, drawing: false, classNames: null,
                levels: null, unsure: null, recipe: null, pad: null, pending: false };

// The thresholds come from the export's model-info.json (the library's
// CONFIDENCE_LEVELS), so the page, the dashboard and the CLI agree.
function level(confidence) {
  const { high, medium } = state.levels;
  return confidence > high ? "high" : confidence >= medium ? "medium" : "low";
}

function className(label) {
  return state.classNames ? state.classNames[label] : String(label);
}

function clearPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
}

function showInput(input) {
  const view = $("input").getContext("2d");
  const image = view.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * input[i]);
    image.data.set([v, v, v, 255], 4 * i);
  }
  view.putImageData(image, 0, 0);
}

function showBars(probabilities, best) {
  const bars = $("bars");
  bars.replaceChildren();
  probabilities.forEach((p, digit) => {
    const label = document.createElement("span");
    label.textContent = state.classNames ? state.classNames[digit] : String(digit);
    const bar = document.createElement("div");
    bar.className = digit === best ? `bar best ${level(p)}` : "bar";
    bar.style.width = `${Math.max(1, 100 * p)}%`;
    bar.dataset.digit = String(digit);
    const value = document.createElement("span");
    value.textContent = `${(100 * p).toFixed(1)}%`;
    bars.append(label, bar, value);
  });
}

function showNothing(message) {
  $("digit").textContent = "–";
  $("digit").className = "digit";
  $("confidence").textContent = "";
  $("unsure").textContent = "";
  $("timing").textContent = "";
  $("bars").replaceChildren();
  $("message").textContent = message || "";
  $("input").getContext("2d").clearRect(0, 0, 28, 28);
}

async function predictDrawing() {
  if (!state.model) {
    // Drawn before the model was ready: predicted as soon as it is.
    state.pending = true;
    return;
  }
  state.pending = false;
  const pixels = pen.getImageData(0, 0, pad.width, pad.height);
  let input;
  try {
    input = preprocess(pixels.data, pixels.width, pixels.height, state.recipe);
  } catch (error) {
    if (error instanceof EmptyDrawingError) return showNothing(error.message);
    throw error;
  }
  const { label, probabilities, milliseconds } = await predictOne(state.model, input);
  const confidence = probabilities[label];
  $("message").textContent = "";
  $("digit").textContent = className(label);
  $("digit").className = `digit ${level(confidence)}`;
  $("confidence").textContent = `confidence ${(100 * confidence).toFixed(1)}%`;
  $("confidence").className = `confidence ${level(confidence)}`;
  const { runnerUp, unsure } = hesitation(probabilities, label, state.unsure);
  $("unsure").textContent = unsure ? `unsure: maybe ${className(runnerUp)} ` +
    `(${(100 * probabilities[runnerUp]).toFixed(0)}%)` : "";
  $("timing").textContent = `${milliseconds.toFixed(1)} ms on ${BACKEND_NAMES[state.backend]}`;
  showBars(probabilities, label);
  showInput(input);
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * (pad.width / box.width),
          (event.clientY - box.top) * (pad.height / box.height)];
}

function startStroke(event) {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  clearTimeout(state.timer);
  state.drawing = true;
  const [x, y] = point(event);
  pen.beginPath();
  pen.moveTo(x, y);
  pen.lineTo(x, y);
  pen.stroke();
}

function continueStroke(event) {
  if (!state.drawing) return;
  event.preventDefault();
  const [x, y] = point(event);
  pen.lineTo(x, y);
  pen.stroke();
}

function endStroke() {
  if (!state.drawing) return;
  state.drawing = false;
  clearTimeout(state.timer);
  state.timer = setTimeout(() => predictDrawing().catch(report), state.pad.pause_ms);
}

function report(error) {
  $("message").textContent = String(error && error.message ? error.message : error);
}

async function switchBackend(name) {
  const { backend, failures } = await useBackend(name);
  state.backend = backend;
  $("backend").value = backend;
  const fellBack = failures.map(([b, why]) => `${BACKEND_NAMES[b]} failed: ${why}`).join("; ");
  $("status").textContent = `Running on ${BACKEND_NAMES[backend]}` +
    (fellBack ? ` (${fellBack})` : "");
  $("status").dataset.backend = backend;
}

function showFacts(info) {
  const facts = [
    ["model", info.name],
    ["parameters", info.params.toLocaleString("en")],
    ...(info.sparsity == null ? [] : [
      ["sparsity", `${(100 * info.sparsity).toFixed(1)}% of the pruned kernels are zero`],
      ["non-zero parameters", info.nonzero_params.toLocaleString("en")]]),
    ["test accuracy", info.test_accuracy == null ? "not recorded"
      : `${(100 * info.test_accuracy).toFixed(2)}%` +
        (info.test_size ? ` on ${info.test_size.toLocaleString("en")} test digits` : "")],
    ["weights", info.quantization === "none" ? "float32" : `quantized to ${info.weights}`],
    ["weight bytes", `${info.weight_bytes.toLocaleString("en")}` +
      (info.quantization === "none" ? "" :
        ` (float32: ${info.float32_weight_bytes.toLocaleString("en")})`)],
    ["TensorFlow.js", info.tfjs_version],
  ];
  $("facts").replaceChildren(...facts.flatMap(([term, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.dataset.fact = term;
    return [dt, dd];
  }));
  $("layers").tBodies[0].replaceChildren(...info.layers.map((layer) => {
    const row = document.createElement("tr");
    for (const cell of [layer.name, layer.type, layer.output_shape.join("×"),
                        layer.params.toLocaleString("en")]) {
      const td = document.createElement("td");
      td.textContent = cell;
      row.append(td);
    }
    return row;
  }));
}

function setUpPad(settings) {
  state.pad = settings;
  // Resizing a canvas resets its pen, so the pen is set up after.
  pad.width = pad.height = settings.size;
  pad.style.width = pad.style.height = `${settings.size}px`;
  clearPad();
  pen.lineWidth = settings.pen_width;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.strokeStyle = "#000";
}

async function start() {
  const info = await (await fetch("model-info.json")).json();
  setUpPad(info.pad);
  for (const name of BACKENDS) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = BACKEND_NAMES[name];
    $("backend").append(option);
  }
  pad.addEventListener("pointerdown", startStroke);
  pad.addEventListener("pointermove", continueStroke);
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  $("clear").addEventListener("click", () => {
    clearTimeout(state.timer);
    state.pending = false;
    clearPad();
    showNothing("");
  });
  // Another backend: load the page again on it. Moving a loaded model's
  // tensors from one backend to another is where TF.js backends disagree
  // (weights read back from WebGPU came out as zeros on the CPU backend);
  // a fresh start on the chosen backend always works.
  $("backend").addEventListener("change", (event) => {
    location.search = new URLSearchParams({ backend: event.target.value }).toString();
  });
  state.classNames = info.class_names;
  state.levels = info.confidence_levels;
  state.recipe = info.preprocessing;
  state.unsure = info.unsure;
  showFacts(info);
  // ?backend=wasm (or webgpu, webgl, cpu) asks for one; otherwise the best that starts.
  const asked = new URLSearchParams(location.search).get("backend");
  await switchBackend(BACKENDS.includes(asked) ? asked : null);
  state.model = await loadModel(new URL("model.json", document.baseURI).href);
  $("loading").hidden = true;
  document.body.dataset.ready = "true";
  if (state.pending) await predictDrawing();
}

// For tests and the curious: the same functions the page uses.
window.mnistPage = {
  preprocess: (data, width, height) => preprocess(data, width, height, state.recipe),
  predictBatch,
  get model() { return state.model; }, get backend() { return state.backend; },
};

start().catch((error) => {
  $("status").textContent = `Could not start: ${error.message || error}`;
  $("loading").textContent = "The model could not be loaded.";
  document.body.dataset.ready = "error";
});
