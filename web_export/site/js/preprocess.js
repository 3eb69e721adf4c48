// The canonical drawn-digit recipe (LeCun's MNIST), step for step as
// mnist_keras/preprocessing.py does it, so the page and the library give the
// same 28x28 input for the same drawing:
//   grayscale (alpha-aware) -> white ink on black, background lifted to 0 ->
//   crop to the ink -> area-resize so the longer side is 20 px -> paste into
//   28x28 -> shift by whole pixels so the centre of mass is at (14, 14).
// Pure functions on arrays: no DOM, no TF.js.

export const SIZE = 28;
const DIGIT_BOX = 20;
const CENTER = 14;
const INK_THRESHOLD = 0.1;
const MIN_INK_FRACTION = 0.0005;

export class EmptyDrawingError extends Error {}

// Python's round(): halves go to the even neighbour.
export function roundHalfEven(x) {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function median(values) {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function liftBackground(ink) {
  // Paper is rarely pure white: the most common level becomes 0.
  const background = median(ink);
  let peak = 0;
  const lifted = new Float64Array(ink.length);
  for (let i = 0; i < ink.length; i++) {
    lifted[i] = Math.max(ink[i] - background, 0);
    if (lifted[i] > peak) peak = lifted[i];
  }
  if (peak > 0) for (let i = 0; i < lifted.length; i++) lifted[i] /= peak;
  return lifted;
}

// RGBA pixels (an ImageData's data) -> ink in [0, 1], white digit on black.
export function toInk(rgba, width, height) {
  const count = width * height;
  const alpha = new Float64Array(count);
  let minAlpha = 1;
  for (let i = 0; i < count; i++) {
    alpha[i] = rgba[4 * i + 3] / 255;
    if (alpha[i] < minAlpha) minAlpha = alpha[i];
  }
  // A transparent canvas: the alpha channel is where the ink is.
  if (minAlpha < 0.99) return liftBackground(alpha);
  const gray = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    gray[i] = (rgba[4 * i] / 255) * 0.299 + (rgba[4 * i + 1] / 255) * 0.587 +
      (rgba[4 * i + 2] / 255) * 0.114;
  }
  const border = [];
  for (let x = 0; x < width; x++) border.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(gray[y * width], gray[y * width + width - 1]);
  if (median(border) > 0.5) for (let i = 0; i < count; i++) gray[i] = 1 - gray[i];
  return liftBackground(gray);
}

// weights[o][i]: how much of input cell i the output cell o covers.
function areaWeights(sizeIn, sizeOut) {
  const scale = sizeIn / sizeOut;
  const weights = [];
  for (let o = 0; o < sizeOut; o++) {
    const start = o * scale;
    const end = start + scale;
    const row = new Float64Array(sizeIn);
    for (let i = Math.floor(start); i < Math.min(sizeIn, Math.ceil(end)); i++) {
      row[i] = Math.max(Math.min(end, i + 1) - Math.max(start, i), 0) / scale;
    }
    weights.push(row);
  }
  return weights;
}

// Exact area averaging of a (rows x cols) image to (height x width).
export function areaResize(image, rows, cols, height, width) {
  const rowWeights = areaWeights(rows, height);
  const colWeights = areaWeights(cols, width);
  const partial = new Float64Array(height * cols);
  for (let o = 0; o < height; o++) {
    for (let r = 0; r < rows; r++) {
      const w = rowWeights[o][r];
      if (w === 0) continue;
      for (let c = 0; c < cols; c++) partial[o * cols + c] += w * image[r * cols + c];
    }
  }
  const out = new Float64Array(height * width);
  for (let o = 0; o < height; o++) {
    for (let p = 0; p < width; p++) {
      let sum = 0;
      const weights = colWeights[p];
      for (let c = 0; c < cols; c++) if (weights[c] !== 0) sum += partial[o * cols + c] * weights[c];
      out[o * width + p] = sum;
    }
  }
  return out;
}

export function centerOfMass(image, size = SIZE) {
  let total = 0, row = 0, col = 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const v = image[r * size + c];
      total += v; row += v * r; col += v * c;
    }
  }
  return [row / total, col / total];
}

// An RGBA drawing -> the model's 28x28 input (Float32Array, row-major).
// Throws EmptyDrawingError for a blank drawing or a speck.
export function preprocess(rgba, width, height) {
  const ink = toInk(rgba, width, height);
  let inked = 0, top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] >= INK_THRESHOLD) {
        inked++;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (inked < Math.max(2, MIN_INK_FRACTION * width * height)) {
    throw new EmptyDrawingError("Nothing to predict: this is an empty drawing. Draw a digit.");
  }
  const rows = bottom - top + 1, cols = right - left + 1;
  const crop = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) crop[y * cols + x] = ink[(top + y) * width + left + x];
  }
  const scale = DIGIT_BOX / Math.max(rows, cols);
  const digitHeight = Math.max(1, roundHalfEven(rows * scale));
  const digitWidth = Math.max(1, roundHalfEven(cols * scale));
  const digit = areaResize(crop, rows, cols, digitHeight, digitWidth);
  const canvas = new Float64Array(SIZE * SIZE);
  const offsetY = (SIZE - digitHeight) >> 1, offsetX = (SIZE - digitWidth) >> 1;
  for (let y = 0; y < digitHeight; y++) {
    for (let x = 0; x < digitWidth; x++) {
      canvas[(offsetY + y) * SIZE + offsetX + x] = digit[y * digitWidth + x];
    }
  }
  const [centerRow, centerCol] = centerOfMass(canvas);
  const down = roundHalfEven(CENTER - centerRow), across = roundHalfEven(CENTER - centerCol);
  const input = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const fromY = y - down, fromX = x - across;
      if (fromY >= 0 && fromY < SIZE && fromX >= 0 && fromX < SIZE) {
        input[y * SIZE + x] = Math.min(Math.max(canvas[fromY * SIZE + fromX], 0), 1);
      }
    }
  }
  return input;
}
