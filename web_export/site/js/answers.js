// What a prediction says, whichever runtime computed it: the answer and its
// time, whether the model hesitates, and where its evidence lies for a runtime
// without gradients. A runtime module (model.js, ort-model.js) gives
// `predictBatch(model, inputs, count)`. No DOM here.

// The second most likely class, and whether the model hesitates: a low top
// probability or a close runner-up (thresholds from model-info.json "unsure",
// the library's UNSURE).
export function hesitation(probabilities, label, thresholds) {
  let runnerUp = label === 0 ? 1 : 0;
  for (let i = 0; i < probabilities.length; i++) {
    if (i !== label && probabilities[i] > probabilities[runnerUp]) runnerUp = i;
  }
  const top = probabilities[label];
  const unsure = top < thresholds.top_below ||
    top - probabilities[runnerUp] < thresholds.margin_below;
  return { runnerUp, unsure };
}

// One drawing: {label, probabilities, milliseconds} (time includes reading back).
export async function predictOne(runtime, model, input) {
  const started = performance.now();
  const probabilities = Array.from(await runtime.predictBatch(model, input, 1));
  const milliseconds = performance.now() - started;
  let label = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
  return { label, probabilities, milliseconds };
}

// Occlusion windows: 6x6 pixels every 2, so each pixel is under up to nine.
const WINDOW = 6;
const STRIDE = 2;

// "Why this answer?" without gradients: how much the answer's probability
// falls when each patch of ink is blanked out (occlusion), averaged over the
// patches covering each pixel and scaled to 0..1. All 144 blanked copies go
// through the model as one batch.
export async function occlusionMap(predictBatch, model, input, label) {
  const corners = [];
  for (let y = 0; y + WINDOW <= 28; y += STRIDE) {
    for (let x = 0; x + WINDOW <= 28; x += STRIDE) corners.push([x, y]);
  }
  const batch = new Float32Array(784 * (corners.length + 1));
  batch.set(input, 0);
  corners.forEach(([x0, y0], n) => {
    const copy = batch.subarray(784 * (n + 1), 784 * (n + 2));
    copy.set(input);
    for (let y = y0; y < y0 + WINDOW; y++) copy.fill(0, 28 * y + x0, 28 * y + x0 + WINDOW);
  });
  const probabilities = await predictBatch(model, batch, corners.length + 1);
  const base = probabilities[label];
  const sum = new Float32Array(784);
  const count = new Float32Array(784);
  corners.forEach(([x0, y0], n) => {
    const drop = Math.max(0, base - probabilities[10 * (n + 1) + label]);
    for (let y = y0; y < y0 + WINDOW; y++) {
      for (let x = x0; x < x0 + WINDOW; x++) {
        sum[28 * y + x] += drop;
        count[28 * y + x] += 1;
      }
    }
  });
  let largest = 0;
  for (let i = 0; i < 784; i++) {
    sum[i] /= count[i] || 1;
    largest = Math.max(largest, sum[i]);
  }
  return sum.map((value) => value / (largest + 1e-12));
}

// Gradient maps are sparse with a few extreme pixels: scaled by their largest
// value they read as faint tints. The strongest 5% of the evidence shows at full
// strength, fading along the square root (as the library's overlay does).
export function readableHeat(map) {
  const evidence = Array.from(map).filter((v) => v > 0).sort((a, b) => a - b);
  if (!evidence.length) return map.map(() => 0);
  const top = Math.max(evidence[Math.floor(0.95 * (evidence.length - 1))], 1e-12);
  return map.map((v) => Math.sqrt(Math.min(1, Math.max(0, v) / top)));
}
