// Every chart's text alternative: a table a screen reader reads, made from the
// figure's own data each time Plotly draws it, and the chart named by its title.
//
// The table is visually hidden (Bootstrap's .visually-hidden) and lives inside
// Plotly's own element, which Plotly (not React) manages; Plotly's drawing is
// hidden from screen readers, which would otherwise read every tick label. Long
// series are sampled to at most MAX_ROWS rows, and the caption says so.
(function () {
  "use strict";
  const MAX_ROWS = 60;
  const MAX_COLUMNS = 30;
  const parser = new DOMParser();

  // Titles and labels hold escaped text (the server escapes names): the
  // parser reads it as text, loading and running nothing.
  function plain(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") {
      return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
    }
    return parser.parseFromString(String(value), "text/html").body.textContent || "";
  }

  function titleOf(gd) {
    const title = gd.layout && gd.layout.title;
    const text = plain(title && (title.text !== undefined ? title.text : title));
    return text || (gd.parentElement && gd.parentElement.id ? gd.parentElement.id.replace(/-/g, " ") : "chart");
  }

  function sampled(length) {
    const step = Math.max(1, Math.ceil(length / MAX_ROWS));
    const indices = [];
    for (let i = 0; i < length; i += step) indices.push(i);
    if (length && indices[indices.length - 1] !== length - 1) indices.push(length - 1);
    return { indices: indices, step: step };
  }

  function table(caption, header, rows) {
    const element = document.createElement("table");
    const captionElement = element.createCaption();
    captionElement.textContent = caption;
    const head = element.createTHead().insertRow();
    header.forEach(function (name) {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = name;
      head.appendChild(cell);
    });
    const body = element.createTBody();
    rows.forEach(function (values) {
      const row = body.insertRow();
      values.forEach(function (value, index) {
        const cell = index === 0 ? document.createElement("th") : document.createElement("td");
        if (index === 0) cell.scope = "row";
        cell.textContent = value;
        row.appendChild(cell);
      });
    });
    return element;
  }

  function axisTitle(gd, name) {
    const axis = gd.layout && gd.layout[name];
    return plain(axis && axis.title && (axis.title.text !== undefined ? axis.title.text : axis.title));
  }

  // One table per kind of trace: a heatmap as its grid, lines and bars as
  // (series, x, y) rows, one line per trial with named values (Optuna's
  // parallel coordinates) as a row per trial.
  function describe(gd) {
    const title = titleOf(gd);
    const data = (gd.data || []).filter((trace) => trace.visible !== false);
    const tables = [];
    const heatmap = data.find((trace) => trace.type === "heatmap" && Array.isArray(trace.z));
    if (heatmap) {
      const x = (heatmap.x || heatmap.z[0].map((_, i) => i)).slice(0, MAX_COLUMNS).map(plain);
      const y = heatmap.y || heatmap.z.map((_, i) => i);
      tables.push(table(`${title}: rows ${axisTitle(gd, "yaxis") || "y"}, columns ` +
                        `${axisTitle(gd, "xaxis") || "x"}`, [""].concat(x),
                        heatmap.z.slice(0, MAX_ROWS).map((row, i) =>
                          [plain(y[i])].concat(row.slice(0, MAX_COLUMNS).map(plain)))));
    }
    const named = data.filter((trace) => Array.isArray(trace.customdata) &&
      Array.isArray(trace.customdata[0]) && trace.customdata[0].length === 2 &&
      trace.type !== "heatmap");
    if (named.length && named.length === data.length) {
      const header = named[0].customdata.map((pair) => plain(pair[0]));
      tables.push(table(`${title}: one row per line`, ["line"].concat(header),
        named.slice(0, MAX_ROWS).map((trace, i) =>
          [String(i + 1)].concat(trace.customdata.map((pair) => plain(pair[1]))))));
    } else {
      const rows = [];
      let step = 1;
      data.forEach(function (trace, number) {
        if (trace.type === "heatmap" || (!trace.x && !trace.y)) return;
        const x = trace.x || (trace.y || []).map((_, i) => i);
        const y = trace.y || (trace.x || []).map((_, i) => i);
        const pick = sampled(Math.min(x.length, y.length));
        step = Math.max(step, pick.step);
        const name = plain(trace.name) || `series ${number + 1}`;
        pick.indices.forEach((i) => rows.push([name, plain(x[i]), plain(y[i])]));
      });
      if (rows.length) {
        tables.push(table(title + (step > 1 ? ` (every ${step}th point)` : ""),
                          ["series", axisTitle(gd, "xaxis") || "x", axisTitle(gd, "yaxis") || "y"],
                          rows));
      }
    }
    const notes = ((gd.layout && gd.layout.annotations) || [])
      .filter((note) => note.xref === "paper" && note.yref === "paper")
      .map((note) => plain(note.text)).filter(Boolean);

    let box = gd.querySelector(":scope > .chart-text");
    if (!box) {
      box = document.createElement("div");
      box.className = "chart-text visually-hidden";
      gd.appendChild(box);
    }
    box.replaceChildren();
    const heading = document.createElement("p");
    heading.textContent = `Chart: ${title}.` + (notes.length ? " " + notes.join(" ") : "") +
                          (tables.length ? "" : " No data shown.");
    box.appendChild(heading);
    tables.forEach((element) => box.appendChild(element));
    gd.setAttribute("role", "figure");
    gd.setAttribute("aria-label", title);
    // The drawing itself, not Plotly's toolbar (its buttons stay reachable).
    gd.querySelectorAll("svg.main-svg").forEach((svg) => svg.setAttribute("aria-hidden", "true"));
  }

  const pending = new WeakMap();
  function later(gd) {
    clearTimeout(pending.get(gd));
    pending.set(gd, setTimeout(function () { describe(gd); }, 200));
  }

  function watch(gd) {
    if (gd.dataset.chartText) return;
    gd.dataset.chartText = "1";
    if (typeof gd.on === "function") gd.on("plotly_afterplot", function () { later(gd); });
    later(gd);
  }

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(watch);
  }

  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  scan();
})();
