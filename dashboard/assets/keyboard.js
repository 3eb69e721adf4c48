// The page by keyboard alone: a way out of tables, and drawing a digit with keys.
//
// Tables: Dash's DataTable takes the Tab key for its own cell-to-cell moves,
// even when no cell is being edited, so Tab stayed on a table's first
// checkbox for good (a keyboard trap). Here Tab inside a table that is not
// editing a cell is kept from the table and moves the focus as everywhere
// else; the arrow keys still move between its cells.
//
// The keyboard pad (Draw a digit, "Draw with the keyboard"): a 14x14 grid in
// one focusable box. The arrow keys move the cursor, Space inks or clears its
// square, Shift with an arrow inks as it moves, Delete clears the grid, Enter
// predicts at once. The inked squares become pen strokes on the drawing pad's
// scale, given to the canvas exactly as its own Save gives them, so the
// prediction, "What the model sees" and "Was it right?" all follow; a change
// is predicted a pause after the last key, like a stroke.
(function () {
  "use strict";
  const SIZE = 14;

  function tabInTable(event) {
    if (event.key !== "Tab" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const table = target && target.closest && target.closest(".dash-spreadsheet");
    if (!table) return;
    // An open cell editor keeps the table's own Tab (to the next cell).
    if (target.matches("input.dash-cell-value, textarea")) return;
    event.stopPropagation();  // the focus moves as the browser moves it
  }

  // ----- the keyboard pad -----
  const cursors = new WeakMap();
  let timer = null;

  function cells(pad) { return pad.querySelectorAll(".key-cell"); }
  function cursorOf(pad) {
    if (!cursors.has(pad)) cursors.set(pad, { row: Math.floor(SIZE / 2), column: Math.floor(SIZE / 2) });
    return cursors.get(pad);
  }

  function say(pad, text) {
    const status = document.getElementById(pad.dataset.status);
    if (status) status.textContent = text;
  }

  function show(pad) {
    const { row, column } = cursorOf(pad);
    cells(pad).forEach(function (cell, index) {
      cell.classList.toggle("cursor", index === row * SIZE + column);
    });
    const inked = cells(pad)[row * SIZE + column].classList.contains("inked");
    const count = pad.querySelectorAll(".key-cell.inked").length;
    say(pad, `Row ${row + 1}, column ${column + 1}: ${inked ? "ink" : "blank"}. ` +
             `${count} of ${SIZE * SIZE} squares inked.`);
  }

  function inkedGrid(pad) {
    return Array.from(cells(pad), (cell) => cell.classList.contains("inked"));
  }

  // Runs of inked squares along rows (every square, a lone one as a dot) and
  // down columns (runs of two or more), each one pen stroke through the
  // squares' centres: at most 98 + 70 strokes, within the pad's limits.
  function strokes(grid, padSize, penWidth) {
    const step = padSize / SIZE;
    const centre = (index) => index * step + step / 2;
    const paths = [];
    const line = (x0, y0, x1, y1) => paths.push({
      type: "path", strokeWidth: penWidth,
      path: [["M", x0, y0], ["L", x1, y1]],
    });
    const inked = (row, column) => grid[row * SIZE + column];
    for (let row = 0; row < SIZE; row++) {
      for (let column = 0; column < SIZE; column++) {
        if (!inked(row, column) || (column > 0 && inked(row, column - 1))) continue;
        let end = column;
        while (end + 1 < SIZE && inked(row, end + 1)) end++;
        line(centre(column) - (end === column ? 1 : 0), centre(row), centre(end) +
             (end === column ? 1 : 0), centre(row));
      }
    }
    for (let column = 0; column < SIZE; column++) {
      for (let row = 0; row < SIZE; row++) {
        if (!inked(row, column) || (row > 0 && inked(row - 1, column))) continue;
        let end = row;
        while (end + 1 < SIZE && inked(end + 1, column)) end++;
        if (end > row) line(centre(column), centre(row), centre(column), centre(end));
      }
    }
    return paths;
  }

  function predict(pad) {
    clearTimeout(timer);
    timer = null;
    const box = document.getElementById(pad.dataset.canvasBox);
    if (box && box.classList.contains("disabled")) {
      say(pad, "Choose a finished model first.");
      return;
    }
    const json = JSON.stringify({ objects: strokes(inkedGrid(pad), Number(pad.dataset.padSize),
                                                   Number(pad.dataset.penWidth)) });
    window.dash_clientside.set_props(pad.dataset.canvas, { json_data: json, trigger: Date.now() });
  }

  function later(pad) {
    clearTimeout(timer);
    const box = document.getElementById(pad.dataset.canvasBox);
    timer = setTimeout(function () { predict(pad); }, Number(box && box.dataset.pauseMs) || 500);
  }

  function clear(pad) {
    cells(pad).forEach((cell) => cell.classList.remove("inked"));
  }

  const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

  function padKey(event) {
    const pad = event.target && event.target.closest && event.target.closest(".key-pad");
    if (!pad || event.ctrlKey || event.metaKey || event.altKey) return;
    const cursor = cursorOf(pad);
    const here = () => cells(pad)[cursor.row * SIZE + cursor.column];
    if (MOVES[event.key]) {
      const [down, right] = MOVES[event.key];
      cursor.row = Math.min(SIZE - 1, Math.max(0, cursor.row + down));
      cursor.column = Math.min(SIZE - 1, Math.max(0, cursor.column + right));
      if (event.shiftKey) { here().classList.add("inked"); later(pad); }
    } else if (event.key === " ") {
      here().classList.toggle("inked");
      later(pad);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      clear(pad);
      later(pad);
    } else if (event.key === "Enter") {
      predict(pad);
    } else {
      return;  // other keys (Tab, the digits that answer "it was N") go on
    }
    event.preventDefault();
    event.stopPropagation();
    show(pad);
  }

  function padFocused(event) {
    const pad = event.target && event.target.classList && event.target.classList.contains("key-pad")
      ? event.target : null;
    if (pad) show(pad);
  }

  // The pad's Clear button clears the keyboard grid too.
  function clearClicked(event) {
    const button = event.target.closest && event.target.closest("button");
    if (button && button.id === "clear") document.querySelectorAll(".key-pad").forEach(clear);
  }

  window.addEventListener("keydown", tabInTable, true);
  document.addEventListener("keydown", padKey, true);
  document.addEventListener("focusin", padFocused, true);
  document.addEventListener("click", clearClicked, true);
})();
