// The page: the only module that touches the DOM. Drawing, the backend
// chooser, results, the answers that keep samples, and model facts;
// preprocessing, the runtime (TF.js or onnxruntime-web) and the samples'
// storage live in their own modules.

import { hesitation, predictOne, readableHeat } from "./answers.js";
import { EmptyDrawingError, preprocess } from "./preprocess.js";
import { SAMPLES_FILE, SampleStore, samplesFile } from "./samples.js";

const $ = (id) => document.getElementById(id);

const pad = $("pad");
const pen = pad.getContext("2d", { willReadFrequently: true });
// The pad's size, the pen's width and the pause before a drawing is read come
// from the export's model-info.json ("pad", the library's drawing_pad), as the
// dashboard's canvas has them: never restated here. `strokes` is the drawing
// on the pad as the library keeps it (pad pixels, each stroke with its pen
// width); `edits` counts changes to it; `predicted` is the label the model
// gave it, null while there is nothing to answer (not read yet, or drawing on).
const state = { runtime: null, model: null, backend: null, timer: null, drawing: false, classNames: null,
                levels: null, unsure: null, recipe: null, pad: null, pending: false,
                strokes: [], photo: false, edits: 0, predicted: null, samples: null };

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
  state.strokes = [];
  state.photo = false;
  state.edits += 1;
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

// The saliency map in red over the model's input, dimmed: where the evidence is.
async function showWhy(input, label) {
  const map = readableHeat(await state.runtime.saliency(state.model, input, label));
  const view = $("why").getContext("2d");
  const image = view.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const ink = 90 * input[i];
    const heat = map[i];
    image.data.set([Math.round(ink + (255 - ink) * heat), Math.round(ink * (1 - heat)),
                    Math.round(ink * (1 - heat)), 255], 4 * i);
  }
  view.putImageData(image, 0, 0);
  $("why-box").hidden = false;
  $("why-box").dataset.label = String(label);
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
  askForAnswer(null);
  $("why-box").hidden = true;
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
  const edits = state.edits;
  const pixels = pen.getImageData(0, 0, pad.width, pad.height);
  let input;
  try {
    input = preprocess(pixels.data, pixels.width, pixels.height, state.recipe);
  } catch (error) {
    if (error instanceof EmptyDrawingError) return showNothing(error.message);
    throw error;
  }
  const { label, probabilities, milliseconds } = await predictOne(state.runtime, state.model,
                                                                  input);
  const confidence = probabilities[label];
  $("message").textContent = "";
  $("digit").textContent = className(label);
  $("digit").className = `digit ${level(confidence)}`;
  $("confidence").textContent = `confidence ${(100 * confidence).toFixed(1)}%`;
  $("confidence").className = `confidence ${level(confidence)}`;
  const { runnerUp, unsure } = hesitation(probabilities, label, state.unsure);
  $("unsure").textContent = unsure ? `unsure: maybe ${className(runnerUp)} ` +
    `(${(100 * probabilities[runnerUp]).toFixed(0)}%)` : "";
  $("timing").textContent = `${milliseconds.toFixed(1)} ms on ` +
    `${state.runtime.BACKEND_NAMES[state.backend]} (${state.runtimeName})`;
  showBars(probabilities, label);
  showInput(input);
  // A stroke begun while the model was reading makes this answer the wrong one to ask about.
  if (edits === state.edits) askForAnswer(label);
  await showWhy(input, label);
}

// A photo or a scan: drawn onto the pad, fitted and centred on white, then
// read through the same preprocessing as a drawing.
async function readPhoto(file) {
  const bitmap = await createImageBitmap(file);
  clearTimeout(state.timer);
  clearPad();
  const scale = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
  const width = bitmap.width * scale;
  const height = bitmap.height * scale;
  pen.drawImage(bitmap, (pad.width - width) / 2, (pad.height - height) / 2, width, height);
  bitmap.close();
  state.photo = true;
  await predictDrawing();
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * (pad.width / box.width),
          (event.clientY - box.top) * (pad.height / box.height)];
}

// Each point drawn is also recorded, to a tenth of a pad pixel (what the
// library keeps of a stroke), so a kept sample redraws as it was drawn.
function record(x, y, startsStroke) {
  const at = [Math.round(10 * x) / 10, Math.round(10 * y) / 10];
  if (startsStroke || !state.strokes.length) {
    state.strokes.push({ points: [at], width: pen.lineWidth });
  } else {
    state.strokes[state.strokes.length - 1].points.push(at);
  }
}

function startStroke(event) {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  clearTimeout(state.timer);
  state.drawing = true;
  // The answer would be for the drawing before this stroke: asked again once
  // the whole drawing is read.
  askForAnswer(null);
  state.edits += 1;
  const [x, y] = point(event);
  record(x, y, true);
  pen.beginPath();
  pen.moveTo(x, y);
  pen.lineTo(x, y);
  pen.stroke();
}

function continueStroke(event) {
  if (!state.drawing) return;
  event.preventDefault();
  const [x, y] = point(event);
  record(x, y, false);
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

// "Was it right?": the answers are open only while a drawing the model has
// read is on the pad, and only where the browser keeps samples.
function askForAnswer(label) {
  state.predicted = label;
  const open = label !== null && state.samples !== null;
  for (const button of document.querySelectorAll("#answer button")) button.disabled = !open;
  if (state.samples) {
    $("answer-prompt").textContent = open ? `Read as ${className(label)}: right, or which?`
      : "Once a drawing is read, say whether that was right.";
  }
}

// One button per class of the model (its names from model-info.json).
function makeAnswerButtons() {
  $("answer-right").addEventListener(
    "click", () => answer(state.predicted).catch(samplesFailed("keep the sample")));
  $("answer-digits").replaceChildren(...state.classNames.map((name, label) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = name;
    button.disabled = true;
    button.dataset.key = String(label);  // the key that presses it (keyPressed)
    button.title = `keep the drawing as a ${name} (key ${label})`;
    button.addEventListener("click", () => answer(label).catch(samplesFailed("keep the sample")));
    return button;
  }));
}

// An answer keeps the drawing with its label, then clears the pad for the next.
async function answer(label) {
  const predicted = state.predicted;
  if (predicted === null || label === null) return;
  askForAnswer(null);  // one answer per drawing, even for a quick double press
  try {
    // A photo has no strokes: it is kept as the image on the pad.
    const drawing = state.photo ? { image: pad.toDataURL("image/png") }
      : { strokes: state.strokes };
    await state.samples.add({ label, ...drawing, created: Date.now() / 1000 });
  } catch (error) {
    askForAnswer(predicted);  // the drawing is still there: it may be answered again
    throw error;
  }
  clearTimeout(state.timer);
  clearPad();
  showNothing("");
  $("answer-prompt").textContent = `Kept as ${className(label)}. Draw the next one.`;
  await showSampleCounts();
}

// The keys 0-9 press the digit buttons, unless the keyboard is typing into a field.
function keyPressed(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || !/^[0-9]$/.test(event.key)) return;
  const target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))
    return;
  const button = document.querySelector(`#answer-digits button[data-key="${event.key}"]`);
  if (button && !button.disabled) {
    event.preventDefault();
    button.click();
  }
}

async function showSampleCounts() {
  const counts = await state.samples.counts(state.classNames.length);
  const total = counts.reduce((sum, n) => sum + n, 0);
  $("samples-status").textContent = `${total} sample${total === 1 ? "" : "s"} kept ` +
    `in this browser (${counts.map((n, label) => `${className(label)}:${n}`).join(" ")})`;
  $("samples-status").dataset.total = String(total);
  $("download-samples").disabled = $("forget-samples").disabled = total === 0;
}

// What went wrong with the samples, said where their count is.
function samplesFailed(doing) {
  return (error) => {
    $("samples-status").textContent =
      `Could not ${doing}: ${error && error.message ? error.message : error}`;
  };
}

// One samples file, saved by the browser from memory: nothing is sent anywhere.
async function downloadSamples() {
  const file = samplesFile(await state.samples.all(), state.classNames);
  const url = URL.createObjectURL(new Blob([JSON.stringify(file)],
                                           { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = SAMPLES_FILE.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

async function forgetSamples() {
  const total = Number($("samples-status").dataset.total || 0);
  if (!confirm(`Forget the ${total} sample${total === 1 ? "" : "s"} kept in this browser? ` +
               "Download them first to keep them.")) return;
  await state.samples.clear();
  await showSampleCounts();
}

async function setUpSamples() {
  makeAnswerButtons();
  document.addEventListener("keydown", keyPressed);
  $("download-samples").addEventListener(
    "click", () => downloadSamples().catch(samplesFailed("download the samples")));
  $("forget-samples").addEventListener(
    "click", () => forgetSamples().catch(samplesFailed("forget the samples")));
  try {
    state.samples = await SampleStore.open();
  } catch (error) {
    // The page still predicts; it only asks nothing.
    $("answer-prompt").textContent = "This browser keeps no samples for this page.";
    samplesFailed("open this browser's store of samples")(error);
    return;
  }
  askForAnswer(state.predicted);
  await showSampleCounts();
}

async function switchBackend(name) {
  const { BACKEND_NAMES } = state.runtime;
  const { backend, failures } = await state.runtime.useBackend(name);
  state.backend = backend;
  $("backend").value = backend;
  const fellBack = failures.map(([b, why]) => `${BACKEND_NAMES[b]} failed: ${why}`).join("; ");
  $("status").textContent = `Running on ${BACKEND_NAMES[backend]}` +
    (fellBack ? ` (${fellBack})` : "") + ` · ${state.runtimeName}`;
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
    ["runtime", `${info.runtime_name} ${info.runtime_version}`],
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

// Each runtime's module offers the same functions (model.js for TF.js).
const RUNTIME_MODULES = { "tfjs": "./model.js", "onnxruntime-web": "./ort-model.js" };
const WHY_CAPTIONS = {
  gradient: "Red: the pixels that move the answer's probability most (its gradient), " +
    "over the digit it saw, dimmed.",
  occlusion: "Red: where blanking out the ink lowers the answer's probability most " +
    "(occlusion), over the digit it saw, dimmed.",
};

async function start() {
  const info = await (await fetch("model-info.json")).json();
  // model-info.json of an export from before the ONNX page names no runtime: TF.js.
  state.runtime = await import(RUNTIME_MODULES[info.runtime || "tfjs"]);
  state.runtimeName = info.runtime_name || "TensorFlow.js";
  $("why-caption").textContent = WHY_CAPTIONS[state.runtime.SALIENCY];
  setUpPad(info.pad);
  for (const name of state.runtime.BACKENDS) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = state.runtime.BACKEND_NAMES[name];
    $("backend").append(option);
  }
  pad.addEventListener("pointerdown", startStroke);
  pad.addEventListener("pointermove", continueStroke);
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  $("photo").addEventListener("change", (event) => {
    const [file] = event.target.files;
    event.target.value = "";  // the same file chosen again is read again
    if (file) readPhoto(file).catch(report);
  });
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
  // The samples' store opens beside the model: a page without one still predicts.
  const samplesReady = setUpSamples().catch(samplesFailed("count the samples"));
  // ?backend=wasm (or webgpu, webgl, cpu) asks for one; otherwise the best that starts.
  const asked = new URLSearchParams(location.search).get("backend");
  await switchBackend(state.runtime.BACKENDS.includes(asked) ? asked : null);
  state.model = await state.runtime.loadModel(
    new URL(info.model_file || "model.json", document.baseURI).href);
  $("loading").hidden = true;
  await samplesReady;
  document.body.dataset.ready = "true";
  if (state.pending) await predictDrawing();
}

// After the first visit the page works offline: sw.js (written by the export)
// caches every file of the site. Only where the browser allows workers (a
// secure context: https, or this machine).
function registerWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("sw.js").then(
    () => { document.body.dataset.offline = "registered"; },
    (error) => { document.body.dataset.offline = `failed: ${error.message || error}`; });
}

registerWorker();

// For tests and the curious: the same functions the page uses.
window.mnistPage = {
  preprocess: (data, width, height) => preprocess(data, width, height, state.recipe),
  predictBatch: (...args) => state.runtime.predictBatch(...args),
  saliency: (input, label) => state.runtime.saliency(state.model, input, label),
  readableHeat,
  get runtime() { return state.runtimeName; },
  get model() { return state.model; }, get backend() { return state.backend; },
};

start().catch((error) => {
  $("status").textContent = `Could not start: ${error.message || error}`;
  $("loading").textContent = "The model could not be loaded.";
  document.body.dataset.ready = "error";
});
