// The TensorFlow.js runtime: loading the exported model, choosing a backend,
// predicting, and the gradient behind "Why this answer?". Uses the global `tf`
// from vendor/tf.min.js and its two backend scripts. No DOM here; ort-model.js
// offers the same functions on onnxruntime-web.

const tf = globalThis.tf;

// How "Why this answer?" is computed here.
export const SALIENCY = "gradient";

// Best first: the page picks the first one that starts.
export const BACKENDS = ["webgpu", "webgl", "wasm", "cpu"];
export const BACKEND_NAMES = { webgpu: "WebGPU", webgl: "WebGL", wasm: "WASM", cpu: "CPU" };

// The WASM backend fetches its .wasm binaries from the page's own folder.
if (tf.wasm) tf.wasm.setWasmPaths(new URL("../vendor/", import.meta.url).href);

// Switches to `name`, or, if it cannot start here, to the next best one.
// Returns {backend, failures: [[name, reason], ...]}.
export async function useBackend(name) {
  const order = name ? [name, ...BACKENDS.filter((b) => b !== name)] : BACKENDS;
  const failures = [];
  for (const candidate of order) {
    try {
      if (await tf.setBackend(candidate)) {
        await tf.ready();
        // Run one small op: some backends fail only on first use.
        const probe = tf.add(tf.scalar(1), tf.scalar(1));
        await probe.data();
        probe.dispose();
        return { backend: candidate, failures };
      }
      failures.push([candidate, "not available in this browser"]);
    } catch (error) {
      failures.push([candidate, String(error && error.message ? error.message : error)]);
    }
  }
  throw new Error("No TensorFlow.js backend could start: " +
    failures.map(([b, why]) => `${b}: ${why}`).join("; "));
}

// `url` should be absolute: TF.js fetches the weight shards from the model URL's
// folder, and for a bare "model.json" it takes that folder to be the server's
// root, which breaks a page served under a path (/exported/run/, a project site).
export async function loadModel(url) {
  const model = await tf.loadLayersModel(url);
  // Warm up: the first call compiles the backend's kernels.
  await predictBatch(model, new Float32Array(784), 1);
  return model;
}

// Probabilities for `count` 28x28 inputs packed in one Float32Array.
export async function predictBatch(model, inputs, count) {
  const output = tf.tidy(() => model.predict(tf.tensor4d(inputs, [count, 28, 28, 1])));
  const values = await output.data();
  output.dispose();
  return values;
}

// "Why this answer?": how much each input pixel moves the answer's
// probability (the gradient's magnitude, a saliency map), scaled to 0..1.
// Computed here, in the browser, on the same backend as the prediction.
export async function saliency(model, input, label) {
  const map = tf.tidy(() => {
    const probability = (x) => model.apply(x, { training: false }).gather([label], 1).sum();
    const gradient = tf.grad(probability)(tf.tensor4d(input, [1, 28, 28, 1])).abs();
    return gradient.div(gradient.max().add(1e-12)).reshape([784]);
  });
  const values = await map.data();
  map.dispose();
  return values;
}
