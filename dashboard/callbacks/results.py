"""Results of the selected run: summary, confusion matrix, per-class table, mistakes."""

import os

from dash import Input, Output, html

from dashboard import figures, ids
from dashboard.images import digit_data_uri
from dashboard.runs_view import raw_images
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run

MAX_MISTAKES = 48


def _summary(config, metrics, status):
    items = [f"status: {status.get('status', 'unknown')}"]
    if metrics:
        items += [f"test accuracy {100 * metrics['test_accuracy']:.2f}%",
                  f"loss {metrics['test_loss']:.4f}",
                  f"{metrics['num_params']:,} parameters",
                  f"{metrics['train_seconds']:.1f} s" if metrics.get("train_seconds")
                  is not None else "uploaded",
                  f"{metrics.get('epochs_done', '?')} epochs"]
    if config.get("train_size"):
        items.append(f"model {os.path.basename(str(config.get('model')))}, "
                     f"{config.get('train_size'):,} training / {config.get('test_size'):,} "
                     f"test images, batch {config.get('batch_size')}, "
                     f"lr {config.get('learning_rate')}, {config.get('optimizer')}")
    elif config:
        items.append(f"model {config.get('model')} ({config.get('source_file', '')})")
    if metrics.get("parent_run"):
        items.append(f"pruned from {metrics['parent_run']}: "
                     f"{100 * metrics['sparsity']['sparsity']:.1f}% of the kernels zero, "
                     f"{metrics['nonzero_params']:,} parameters non-zero"
                     if "sparsity" in metrics else f"fine-tuned from {metrics['parent_run']}")
    if status.get("status") == "failed":
        items.append(f"error: {status.get('error')}")
    return [html.Span(item, className="chip") for item in items]


def mistakes_gallery(metrics, config, limit=MAX_MISTAKES):
    """Image tiles of misclassified test digits: true -> predicted (confidence)."""
    mistakes = metrics.get("misclassified", [])
    if not mistakes:
        return html.Div("No misclassified digits." if metrics else "")
    try:
        _, _, test_images, _ = raw_images(config.get("data_dir"), config.get("dataset", "mnist"))
    except MnistKerasError as error:
        return html.Div(f"Test images unavailable: {error}")
    tiles = []
    for mistake in sorted(mistakes, key=lambda m: -m["confidence"])[:limit]:
        tiles.append(html.Figure(className="tile mistake", children=[
            html.Img(src=digit_data_uri(test_images[mistake["index"]]),
                     alt=f"test digit {mistake['index']}"),
            html.Figcaption(f"{mistake['label']} → {mistake['predicted']} "
                            f"({100 * mistake['confidence']:.0f}%)"),
        ]))
    note = f"{len(mistakes)} misclassified; the {len(tiles)} most confident mistakes shown."
    return [html.Div(note, className="hint"), html.Div(tiles, className="tiles")]


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.RUN_SUMMARY, "children"), Output(ids.CONFUSION_GRAPH, "figure"),
        Output(ids.PER_CLASS_TABLE, "data"), Output(ids.MISTAKES, "children"),
        Input(ids.RESULTS_KEY, "data"), Input(ids.RUN_SELECT, "value"),
    )
    def show_results(_, selected):
        if not selected:
            return [], figures.empty_figure("Select a run to see its results."), [], []
        run = Run(os.path.join(runs_dir, selected))
        config = run.read_json("config.json") or {}
        metrics = run.read_json("metrics.json") or {}
        status = run.read_json("status.json") or {}
        if not metrics:
            message = {"running": "Results appear when training ends.",
                       "failed": "This run failed before it was evaluated."}
            return (_summary(config, metrics, status),
                    figures.empty_figure(message.get(status.get("status"), "No results.")),
                    [], [])
        class_names = metrics.get("class_names") or [str(d) for d in range(10)]
        table = [{"label": class_names[row["label"]], "precision": f"{row['precision']:.4f}",
                  "recall": f"{row['recall']:.4f}", "f1": f"{row['f1']:.4f}",
                  "support": row["support"]} for row in metrics["per_class"]]
        title = f"Confusion matrix · accuracy {100 * metrics['test_accuracy']:.2f}%"
        return (_summary(config, metrics, status),
                figures.confusion_matrix_figure(metrics["confusion_matrix"], class_names, title),
                table, mistakes_gallery(metrics, config))
