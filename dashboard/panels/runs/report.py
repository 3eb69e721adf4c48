"""A run's report: one self-contained HTML file (no scripts, no requests).

Configuration, architecture summary, loss and accuracy curves (inline SVG),
the confusion matrix and per-class table (HTML tables), the misclassified
test digits (inline PNGs) and the run's model card. It opens offline in any browser and prints well.
"""

import html
import math
import os

from dashboard.shared.images import digit_data_uri
from mnist_keras.errors import MnistKerasError
from mnist_keras.model_card import model_card
from mnist_keras.reproduce import command_line, python_snippet
from mnist_keras.runs import RunFormatError

_STYLE = """

body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1000px; }
table { border-collapse: collapse; margin: 0.5rem 0 1.2rem; font-size: 0.85rem; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #f3f4f6; } td.key { text-align: left; font-weight: 600; }
.digits { display: flex; flex-wrap: wrap; gap: 0.4rem; }
figure { margin: 0; text-align: center; font-size: 0.75rem; }
img { image-rendering: pixelated; }
pre { background: #f3f4f6; padding: 0.6rem; white-space: pre-wrap; font-size: 0.8rem; }
"""


def _escape(value):
    return html.escape(str(value))


def _key_value_table(rows):
    cells = "".join(f"<tr><td class='key'>{_escape(k)}</td><td>{_escape(v)}</td></tr>"
                    for k, v in rows)
    return f"<table>{cells}</table>"


def _table(header, rows):
    head = "".join(f"<th>{_escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def nice_ticks(low, high, count=5):
    """About `count` round tick values covering [low, high].

    >>> nice_ticks(0.05, 0.31)
    [0.0, 0.1, 0.2, 0.3, 0.4]
    >>> nice_ticks(1, 9)
    [0, 2, 4, 6, 8, 10]
    """
    span = (high - low) or abs(high) or 1.0
    raw = span / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def line_chart_svg(series, title, width=900, height=260):
    """An SVG line chart of `{name: [(x, y), ...]}`: gridlines, round ticks, a legend.

    The chart scales to the page's width (a viewBox), its y axis spans round
    ticks around the values, and every whole epoch up to about ten is labelled.
    """
    colors = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
    # A run without validation has no validation curve: no legend entry either.
    series = {name: values for name, values in series.items()
              if any(y is not None for _, y in values)}
    points = [p for values in series.values() for p in values if p[1] is not None]
    if not points:
        return f"<p>{_escape(title)}: no epochs recorded.</p>"
    left, right, top, bottom = 60, 20, 30, 60
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y_ticks = nice_ticks(min(ys), max(ys))
    y0, y1 = y_ticks[0], y_ticks[-1] if y_ticks[-1] > y_ticks[0] else y_ticks[0] + 1
    x_step = max(1, math.ceil((x1 - x0) / 10))
    x_ticks = list(range(int(math.ceil(x0)), int(x1) + 1, x_step))

    def at(x, y):
        return (left + (x - x0) / (x1 - x0) * (width - left - right),
                top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom))

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
             f"width='100%' role='img' aria-label='{_escape(title)}'>",
             f"<text x='{left}' y='18' font-size='14' font-weight='600'>{_escape(title)}</text>"]
    for tick in y_ticks:
        _, y = at(x0, tick)
        parts += [f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' "
                  "stroke='#e5e7eb'/>",
                  f"<text x='{left - 6}' y='{y + 4:.1f}' font-size='11' "
                  f"text-anchor='end'>{tick:g}</text>"]
    for tick in x_ticks:
        x, _ = at(tick, y0)
        parts.append(f"<text x='{x:.1f}' y='{height - bottom + 16}' font-size='11' "
                     f"text-anchor='middle'>{tick}</text>")
    parts += [f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' "
              f"y2='{height - bottom}' stroke='#999'/>",
              f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='#999'/>",
              f"<text x='{(left + width - right) / 2:.0f}' y='{height - bottom + 32}' "
              "font-size='11' text-anchor='middle'>epoch</text>"]
    for index, (name, values) in enumerate(series.items()):
        color = colors[index % len(colors)]
        located = [at(px, py) for px, py in values if py is not None]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in located)
        parts.append(f"<polyline fill='none' stroke='{color}' stroke-width='2' "
                     f"points='{line}'/>")
        parts += [f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.5' fill='{color}'/>"
                  for x, y in located]
        parts.append(f"<text x='{left + 200 * index}' y='{height - 6}' font-size='12' "
                     f"fill='{color}'>&#9632; {_escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _confusion_table(matrix, class_names):
    peak = max((max(row) for row in matrix), default=1) or 1
    head = "<th>true \\ predicted</th>" + "".join(f"<th>{_escape(c)}</th>" for c in class_names)
    rows = []
    for label, row in zip(class_names, matrix):
        cells = "".join(
            f"<td style='background: rgba(96,165,250,{0.1 + 0.9 * count / peak:.2f})'>{count}</td>"
            for count in row)
        rows.append(f"<tr><th>{_escape(label)}</th>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def card_html(run):
    """The run's model card (`mnist_keras.model_card`) as HTML, its front matter left out.

    The card's text is escaped before Markdown reads it: names in it (the
    run's, the classes') show literally, never as markup.
    """
    import markdown

    try:
        card = model_card(run.path)
    except (MnistKerasError, RunFormatError):
        return ""
    if card.startswith("---\n"):
        card = card[card.index("\n---\n", 4) + 5:]
    body = markdown.markdown(html.escape(card, quote=False), extensions=["tables", "fenced_code"])
    # The card's own title repeats the report's.
    return "<h2>Model card</h2>" + body.replace("<h1>", "<h3>").replace("</h1>", "</h3>") \
        .replace("<h2>", "<h3>").replace("</h2>", "</h3>")


def run_report(run, layers=None, test_images=None, max_mistakes=48):
    """The HTML report of a run.

    Args:
        run: a `mnist_keras.runs.Run`.
        layers: rows of `mnist_keras.inspection.layer_summary` for its model, or None.
        test_images: the test images (uint8, N x 28 x 28) the misclassified
            indices refer to, or None to leave the digits out.
        max_mistakes: misclassified digits shown, most confident first.

    Returns:
        The report as a string.
    """
    try:
        config, metrics = run.config(), run.metrics()
    except RunFormatError:
        config = metrics = None
    history = run.history()
    title = f"mnist-keras run {run.name}"
    sections = [f"<h1>{_escape(title)}</h1>"]
    summary = [("status", run.status.value)]
    if metrics:
        summary += [("test accuracy", f"{100 * metrics.test_accuracy:.2f}%"),
                    ("test loss", f"{metrics.test_loss:.4f}"),
                    ("parameters", f"{metrics.num_params:,}"),
                    ("non-zero parameters", f"{metrics.nonzero_params:,}")]
        if metrics.parent_run:
            summary.append(("parent run", metrics.parent_run))
    settings = config.settings() if config else {}
    sections += ["<h2>Summary</h2>", _key_value_table(summary),
                 "<h2>Configuration</h2>",
                 _key_value_table(sorted((k, v) for k, v in settings.items() if v is not None))]
    if config and config.training:
        again = f"runs/{run.name[:60]}-again"
        sections += ["<h2>Reproduce this run</h2>", "<p>As Python:</p>",
                     f"<pre>{_escape(python_snippet(config.training, run_dir=again))}</pre>",
                     "<p>As a command:</p>",
                     f"<pre>{_escape(command_line(config.training, run_dir=again))}</pre>"]
    if layers:
        sections += ["<h2>Architecture</h2>", _table(
            ("layer", "type", "output shape", "parameters", "FLOPs"),
            [(r["name"], r["type"], "×".join(str(d) for d in r["output_shape"]),
              f"{r['params']:,}", f"{r['flops']:,}") for r in layers])]
    if history.epochs:
        def series(key):
            return [(r["epoch"], r.get(key)) for r in history.epochs]
        sections += ["<h2>Training curves</h2>",
                     line_chart_svg({"train loss": series("loss"),
                                     "validation loss": series("val_loss")}, "loss"),
                     line_chart_svg({"train accuracy": series("accuracy"),
                                     "validation accuracy": series("val_accuracy")},
                                    "accuracy")]
    if metrics:
        names = metrics.class_names
        sections += ["<h2>Confusion matrix</h2>",
                     _confusion_table(metrics.confusion_matrix, names),
                     "<h2>Per class</h2>", _table(
                         ("label", "precision", "recall", "F1", "support"),
                         [(names[r.label], f"{r.precision:.4f}", f"{r.recall:.4f}",
                           f"{r.f1:.4f}", r.support) for r in metrics.per_class])]
        mistakes = sorted(metrics.misclassified, key=lambda m: -m.confidence)
        if mistakes and test_images is not None:
            tiles = "".join(
                f"<figure><img src='{digit_data_uri(test_images[m.index])}' "
                f"alt='test digit {m.index}'><figcaption>{_escape(names[m.label])} → "
                f"{_escape(names[m.predicted])} ({100 * m.confidence:.0f}%)</figcaption></figure>"
                for m in mistakes[:max_mistakes])
            sections += [f"<h2>Misclassified test digits ({len(mistakes)}; "
                         f"{min(len(mistakes), max_mistakes)} shown)</h2>",
                         f"<div class='digits'>{tiles}</div>"]
    sections.append(card_html(run))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{_escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"{''.join(sections)}<p><small>{_escape(os.path.basename(run.path))}"
            f"</small></p></body></html>")
