// The onnxruntime-web runtime, for the ONNX export's page: the same functions
// as model.js (TF.js), on model.onnx. WebGPU where the browser has a GPU
// adapter, WASM everywhere. No DOM here.

import * as ort from "../vendor/ort.webgpu.min.mjs";
import { occlusionMap } from "./answers.js";

// onnxruntime-web has no gradients: "Why this answer?" blanks patches out.
export const SALIENCY = "occlusion";

export const BACKENDS = ["webgpu", "wasm"];
export const BACKEND_NAMES = { webgpu: "WebGPU", wasm: "WASM" };

// The WASM binary and its loader come from the page's own folder.
ort.env.wasm.wasmPaths = new URL("../vendor/", import.meta.url).href;
// Threads need SharedArrayBuffer, which only a cross-origin-isolated page has
// (a plain static server's is not): one thread otherwise, without a warning.
if (!globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;

let provider = null;

async function gpuAdapter() {
  if (!navigator.gpu) return "not available in this browser";
  try {
    return (await navigator.gpu.requestAdapter()) ? null : "no GPU adapter";
  } catch (error) {
    return String(error && error.message ? error.message : error);
  }
}

// Chooses `name`, or, if it cannot start here, the next best one.
// Returns {backend, failures: [[name, reason], ...]}, as model.js does.
export async function useBackend(name) {
  const order = name ? [name, ...BACKENDS.filter((b) => b !== name)] : BACKENDS;
  const failures = [];
  for (const candidate of order) {
    const why = candidate === "webgpu" ? await gpuAdapter() : null;
    if (why === null) {
      provider = candidate;
      return { backend: candidate, failures };
    }
    failures.push([candidate, why]);
  }
  throw new Error("No onnxruntime-web backend could start: " +
    failures.map(([b, why]) => `${b}: ${why}`).join("; "));
}

export async function loadModel(url) {
  const session = await ort.InferenceSession.create(url, { executionProviders: [provider] });
  // Warm up: the first run prepares the kernels.
  await predictBatch(session, new Float32Array(784), 1);
  return session;
}

// Probabilities for `count` 28x28 inputs packed in one Float32Array.
export async function predictBatch(session, inputs, count) {
  const feeds = {
    [session.inputNames[0]]: new ort.Tensor("float32", inputs, [count, 28, 28, 1]),
  };
  const results = await session.run(feeds);
  const output = results[session.outputNames[0]];
  const values = Float32Array.from(await output.getData());
  output.dispose();
  return values;
}

export function saliency(session, input, label) {
  return occlusionMap(predictBatch, session, input, label);
}
