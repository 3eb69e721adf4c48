// Automatic prediction for the drawing canvas.
//
// dash-canvas reports its strokes (its `json_data` and `trigger` props) only
// when its own Save button is pressed; a stroke alone changes no prop. So this
// presses that (hidden) button a pause after the last stroke ends, and
// at once when Predict is clicked. Mouse, pen and touch all end a stroke. The
// pause comes from the page (the canvas box's data-pause-ms, written from
// mnist_keras.drawing_pad), never restated here.
(function () {
  "use strict";
  const CANVAS_BOX = ".drawing-canvas";
  let timer = null;
  let box = null;

  function save() {
    const button = box && box.querySelector('button[title="Save"]');
    if (button) button.click();
  }

  function strokeStarted(event) {
    const target = event.target.closest && event.target.closest(CANVAS_BOX);
    if (!target || !event.target.matches("canvas")) return;
    box = target;
    clearTimeout(timer);
    timer = null;
  }

  function strokeEnded() {
    if (!box || timer) return;
    const pause = Number(box.dataset.pauseMs);
    timer = setTimeout(function () { timer = null; save(); }, pause);
  }

  function buttonClicked(event) {
    const button = event.target.closest && event.target.closest("button");
    if (!button) return;
    if (button.id === "predict") {
      clearTimeout(timer); timer = null;
      box = box || document.querySelector(CANVAS_BOX);
      save();
    } else if (button.id === "clear") {
      // A pending save would report the strokes that are being cleared.
      clearTimeout(timer); timer = null;
    }
  }

  // The keys 0-9 answer "it was N" (the Draw panel's digit buttons, which carry
  // the key as data-key), unless the keyboard is typing into a field.
  function keyPressed(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !/^[0-9]$/.test(event.key)) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))
      return;
    const button = document.querySelector(`button[data-key="${event.key}"]`);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  }

  document.addEventListener("pointerdown", strokeStarted, true);
  document.addEventListener("keydown", keyPressed, true);
  document.addEventListener("touchstart", strokeStarted, true);
  document.addEventListener("pointerup", strokeEnded, true);
  document.addEventListener("touchend", strokeEnded, true);
  document.addEventListener("pointercancel", strokeEnded, true);
  document.addEventListener("click", buttonClicked, true);
})();
