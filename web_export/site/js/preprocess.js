// The drawn-digit recipe, step for step as mnist_keras/preprocessing.py does it,
// so the page and the library give the same 28x28 input, bit for bit:
//   ink levels (gray, inverted if on light paper, paper removed by an opening,
//   stretched to 0-255) -> black and white (half of Otsu's threshold, paper
//   lines and specks removed) -> is it a digit? -> crop -> strokes on a grid 4x
//   the final size -> stroke width brought to MNIST's -> 4x4 block means (the
//   20-px digit) -> pasted into 28x28, centre of mass at (14, 14).
// Every step is integer, boolean or element-wise arithmetic, or sums of
// multiples of 1/16, so JavaScript's doubles give what NumPy's do. The
// recipe's numbers come from the export's model-info.json ("preprocessing").
// Pure functions on arrays: no DOM, no TF.js.

export const SIZE = 28;

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

// RGBA pixels -> integer gray 0-255000 (luma x 1000), white ink on black.
function toGray(rgba, width, height) {
  const count = width * height;
  let minAlpha = 255;
  for (let i = 0; i < count; i++) minAlpha = Math.min(minAlpha, rgba[4 * i + 3]);
  const gray = new Float64Array(count);
  if (minAlpha < 253) {
    // A transparent canvas: the alpha channel is where the ink is.
    for (let i = 0; i < count; i++) gray[i] = rgba[4 * i + 3] * 1000;
    return gray;
  }
  for (let i = 0; i < count; i++) {
    gray[i] = 299 * rgba[4 * i] + 587 * rgba[4 * i + 1] + 114 * rgba[4 * i + 2];
  }
  const border = [];
  for (let x = 0; x < width; x++) border.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(gray[y * width], gray[y * width + width - 1]);
  if (median(border) > 127500) for (let i = 0; i < count; i++) gray[i] = 255000 - gray[i];
  return gray;
}

// A large image reduced by an integer factor (block means, rounded down).
function reduce(gray, width, height, side) {
  const factor = Math.ceil(Math.max(width, height) / side);
  if (factor <= 1) return { gray, width, height };
  const rows = Math.floor(height / factor), cols = Math.floor(width / factor);
  const out = new Float64Array(rows * cols);
  for (let y = 0; y < rows * factor; y++) {
    for (let x = 0; x < cols * factor; x++) {
      out[Math.floor(y / factor) * cols + Math.floor(x / factor)] += gray[y * width + x];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(out[i] / (factor * factor));
  return { gray: out, width: cols, height: rows };
}

// Running min or max over an odd `size` along rows (axis 1) or columns (axis 0),
// edges repeated.
function running(values, width, height, size, axis, pick) {
  const radius = size >> 1;
  const out = new Float64Array(values.length);
  const lines = axis === 1 ? height : width, length = axis === 1 ? width : height;
  const at = axis === 1 ? (line, i) => line * width + i : (line, i) => i * width + line;
  const padded = new Float64Array(length + 2 * radius);
  for (let line = 0; line < lines; line++) {
    for (let i = 0; i < padded.length; i++) {
      padded[i] = values[at(line, Math.min(Math.max(i - radius, 0), length - 1))];
    }
    for (let i = 0; i < length; i++) {
      let best = padded[i];
      for (let j = 1; j < size; j++) best = pick(best, padded[i + j]);
      out[at(line, i)] = best;
    }
  }
  return out;
}

// Ink levels 0-255 (integers): white ink on black, paper removed, stretched.
export function inkLevels(rgba, width, height, recipe) {
  const reduced = reduce(toGray(rgba, width, height), width, height, recipe.working_side);
  const { gray } = reduced;
  const size = 2 * Math.max(1, roundHalfEven(recipe.background_fraction *
    Math.min(reduced.width, reduced.height))) + 1;
  let opened = gray;
  for (const pick of [Math.min, Math.max]) {
    for (const axis of [0, 1]) {
      opened = running(opened, reduced.width, reduced.height, size, axis, pick);
    }
  }
  const levels = new Float64Array(gray.length);
  let peak = 0;
  for (let i = 0; i < gray.length; i++) {
    levels[i] = gray[i] - opened[i];
    if (levels[i] > peak) peak = levels[i];
  }
  for (let i = 0; i < levels.length; i++) {
    levels[i] = peak > 0 ? Math.floor((levels[i] * 255) / peak) : 0;
  }
  return { levels, width: reduced.width, height: reduced.height };
}

export function otsuThreshold(levels) {
  const histogram = new Float64Array(256);
  for (const level of levels) histogram[level]++;
  let total = 0, levelSum = 0;
  for (let t = 0; t < 256; t++) { total += histogram[t]; levelSum += histogram[t] * t; }
  let best = -1, first = 0, last = 0, below = 0, belowSum = 0;
  for (let t = 0; t < 255; t++) {
    below += histogram[t];
    belowSum += histogram[t] * t;
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const spread = levelSum * below - total * belowSum;
    const score = (spread * spread) / (below * above);
    if (score > best) { best = score; first = t; last = t; } else if (score === best) last = t;
  }
  // With no level between the two groups, the middle of the gap.
  return Math.floor((first + last) / 2);
}

// Thin runs along rows spanning most of the width (`get(r, c)` reads the mask).
function paperLines(get, rows, cols, recipe) {
  const need = Math.ceil(recipe.paper_line_length * cols);
  const thickest = Math.max(2, Math.trunc(recipe.paper_line_thickness * rows));
  const long = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let c = 0;
    while (c < cols) {
      if (!get(r, c)) { c++; continue; }
      let end = c;
      while (end < cols && get(r, end)) end++;
      if (end - c >= need) for (let k = c; k < end; k++) long[r * cols + k] = 1;
      c = end;
    }
  }
  const thin = new Uint8Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let r = 0;
    while (r < rows) {
      if (!long[r * cols + c]) { r++; continue; }
      let end = r;
      while (end < rows && long[end * cols + c]) end++;
      if (end - r <= thickest) for (let k = r; k < end; k++) thin[k * cols + c] = 1;
      r = end;
    }
  }
  return thin;
}

function neighbourhood(mask, width, height, all) {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = all ? 1 : 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          const v = yy >= 0 && yy < height && xx >= 0 && xx < width ? mask[yy * width + xx] : 0;
          value = all ? value & v : value | v;
        }
      }
      out[y * width + x] = value;
    }
  }
  return out;
}

const erode = (mask, width, height) => neighbourhood(mask, width, height, true);
const dilate = (mask, width, height) => neighbourhood(mask, width, height, false);
const count = (mask) => mask.reduce((sum, v) => sum + v, 0);

export function strokeWidth(mask, width, height) {
  const area = count(mask);
  const removed = area - count(erode(mask, width, height));
  return removed ? (2 * area) / removed : 0;
}

// The digit in black and white, without paper lines and specks.
export function inkMask(levels, width, height, recipe) {
  const threshold = Math.floor(otsuThreshold(levels) / 2);
  let mask = new Uint8Array(levels.length);
  for (let i = 0; i < levels.length; i++) mask[i] = levels[i] > threshold ? 1 : 0;
  const across = paperLines((r, c) => mask[r * width + c], height, width, recipe);
  const down = paperLines((r, c) => mask[c * width + r], width, height, recipe);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (across[y * width + x] || down[x * height + y]) mask[y * width + x] = 0;
    }
  }
  // 8-connected pieces; those under 1/ratio of the largest are specks.
  const piece = new Int32Array(mask.length);
  const sizes = [0];
  const stack = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || piece[start]) continue;
    const label = sizes.length;
    let size = 0;
    piece[start] = label;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop();
      size++;
      const y = Math.floor(i / width), x = i - y * width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (mask[j] && !piece[j]) { piece[j] = label; stack.push(j); }
        }
      }
    }
    sizes.push(size);
  }
  if (sizes.length > 2) {
    const largest = Math.max(...sizes);
    const kept = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] && sizes[piece[i]] * recipe.min_piece_ratio >= largest) kept[i] = 1;
    }
    mask = kept;
  }
  return { mask, threshold };
}

function checkDigit(mask, width, height, recipe) {
  let inked = 0, top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      inked++;
      top = Math.min(top, y); bottom = Math.max(bottom, y);
      left = Math.min(left, x); right = Math.max(right, x);
    }
  }
  if (inked < Math.max(2, recipe.min_ink_fraction * height * width)) {
    throw new EmptyDrawingError("That is an empty drawing: draw a digit.");
  }
  const extent = Math.max(bottom - top + 1, right - left + 1);
  const tooSmall = "That is a dot or a tick, not a digit: draw a digit, larger.";
  if (extent < recipe.min_extent * Math.min(height, width)) throw new EmptyDrawingError(tooSmall);
  // Thicker than extent / min_extent_in_strokes: it survives that many erosions.
  const erosions = Math.ceil(extent / (2 * recipe.min_extent_in_strokes));
  const rows = bottom - top + 1, cols = right - left + 1;
  let core = new Uint8Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) core[y * cols + x] = mask[(top + y) * width + left + x];
  }
  let vanished = false;
  for (let i = 0; i < erosions && !vanished; i++) {
    core = erode(core, cols, rows);
    vanished = count(core) === 0;
  }
  if (!vanished) throw new EmptyDrawingError(tooSmall);
  return { top, bottom: bottom + 1, left, right: right + 1 };
}

// The cropped strokes on the working grid: blocks holding any ink when
// shrinking (thin strokes survive), bilinear when enlarging.
function gridMask(crop, rows, cols, threshold, height, width) {
  const out = new Uint8Array(height * width);
  if (rows >= height && cols >= width) {
    const inked = new Float64Array((rows + 1) * (cols + 1));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        inked[(r + 1) * (cols + 1) + c + 1] = (crop[r * cols + c] > threshold ? 1 : 0) +
          inked[r * (cols + 1) + c + 1] + inked[(r + 1) * (cols + 1) + c] -
          inked[r * (cols + 1) + c];
      }
    }
    const ys = [], xs = [];
    for (let i = 0; i <= height; i++) ys.push(Math.floor((i * rows) / height));
    for (let i = 0; i <= width; i++) xs.push(Math.floor((i * cols) / width));
    const at = (y, x) => inked[y * (cols + 1) + x];
    for (let o = 0; o < height; o++) {
      for (let p = 0; p < width; p++) {
        const sum = at(ys[o + 1], xs[p + 1]) - at(ys[o], xs[p + 1]) -
          at(ys[o + 1], xs[p]) + at(ys[o], xs[p]);
        out[o * width + p] = sum > 0 ? 1 : 0;
      }
    }
    return out;
  }
  const clip = (v, high) => Math.min(Math.max(v, 0), high);
  for (let o = 0; o < height; o++) {
    const sy = clip((o + 0.5) * (rows / height) - 0.5, rows - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, rows - 1), wy = sy - y0;
    for (let p = 0; p < width; p++) {
      const sx = clip((p + 0.5) * (cols / width) - 0.5, cols - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, cols - 1), wx = sx - x0;
      const top = crop[y0 * cols + x0] * (1 - wx) + crop[y0 * cols + x1] * wx;
      const bottom = crop[y1 * cols + x0] * (1 - wx) + crop[y1 * cols + x1] * wx;
      out[o * width + p] = top * (1 - wy) + bottom * wy > threshold ? 1 : 0;
    }
  }
  return out;
}

function normaliseWidth(mask, width, height, recipe) {
  let steps = roundHalfEven((strokeWidth(mask, width, height) - recipe.target_stroke_width) / 2);
  steps = Math.max(-recipe.max_width_steps, Math.min(recipe.max_width_steps, steps));
  for (let i = 0; i < Math.abs(steps); i++) {
    const changed = steps > 0 ? erode(mask, width, height) : dilate(mask, width, height);
    if (!count(changed)) break;
    mask = changed;
  }
  return mask;
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
// Throws EmptyDrawingError for a blank drawing, a speck, a dot or a tick.
export function preprocess(rgba, width, height, recipe) {
  const ink = inkLevels(rgba, width, height, recipe);
  const { mask, threshold } = inkMask(ink.levels, ink.width, ink.height, recipe);
  const box = checkDigit(mask, ink.width, ink.height, recipe);
  const rows = box.bottom - box.top, cols = box.right - box.left;
  const crop = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const i = (box.top + y) * ink.width + box.left + x;
      crop[y * cols + x] = mask[i] ? ink.levels[i] : 0;
    }
  }
  const scale = recipe.digit_box / Math.max(rows, cols);
  const digitHeight = Math.max(1, roundHalfEven(rows * scale));
  const digitWidth = Math.max(1, roundHalfEven(cols * scale));
  const grid = recipe.grid;
  const gridHeight = grid * digitHeight, gridWidth = grid * digitWidth;
  const strokes = normaliseWidth(gridMask(crop, rows, cols, threshold, gridHeight, gridWidth),
    gridWidth, gridHeight, recipe);
  const canvas = new Float64Array(SIZE * SIZE);
  const offsetY = (SIZE - digitHeight) >> 1, offsetX = (SIZE - digitWidth) >> 1;
  for (let y = 0; y < digitHeight; y++) {
    for (let x = 0; x < digitWidth; x++) {
      let sum = 0;
      for (let dy = 0; dy < grid; dy++) {
        for (let dx = 0; dx < grid; dx++) {
          sum += strokes[(y * grid + dy) * gridWidth + x * grid + dx];
        }
      }
      canvas[(offsetY + y) * SIZE + offsetX + x] = sum / (grid * grid);
    }
  }
  const [centerRow, centerCol] = centerOfMass(canvas);
  const down = roundHalfEven(recipe.center - centerRow);
  const across = roundHalfEven(recipe.center - centerCol);
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
