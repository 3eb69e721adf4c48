"""The comparison's figure: several runs' loss and accuracy per epoch, one colour each."""

from dashboard.shared.figures import RUN_COLORS, base_layout, epoch_ticks


def comparison_figure(histories):
    """Loss (top) and accuracy (bottom) per epoch of several runs, one colour per run.

    Args:
        histories: `{run_name: epoch records}`; validation curves dotted.
    """
    data = []
    for index, (name, records) in enumerate(histories.items()):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        epochs = [r["epoch"] for r in records]
        for key, axis, dash, label in (("loss", "y", "solid", "train loss"),
                                       ("val_loss", "y", "dot", "validation loss"),
                                       ("accuracy", "y2", "solid", "train accuracy"),
                                       ("val_accuracy", "y2", "dot", "validation accuracy")):
            values = [r.get(key) for r in records]
            if not any(v is not None for v in values):
                continue
            data.append({"type": "scatter", "mode": "lines+markers", "x": epochs, "y": values,
                         "name": f"{name} · {label}", "legendgroup": name, "yaxis": axis,
                         "line": {"color": color, "dash": dash}})
    epochs = max((r["epoch"] for records in histories.values() for r in records), default=1)
    layout = base_layout("Runs compared, per epoch", 520,
                     xaxis={"title": {"text": "epoch"}, "anchor": "y2", **epoch_ticks(epochs)},
                     yaxis={"title": {"text": "loss"}, "domain": [0.55, 1]},
                     yaxis2={"title": {"text": "accuracy"}, "domain": [0, 0.45]})
    layout["legend"] = {**layout["legend"], "font": {"size": 11}, "y": -0.18}
    return {"data": data, "layout": layout}
