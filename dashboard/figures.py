"""Figures as pure functions: data in, `plotly.graph_objects.Figure` out.

The live charts are created once with empty traces in a fixed order and then
grown with `extendData`; `BATCH_TRACES` / `EPOCH_TRACES` name that order.
"""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

BATCH_TRACES = ("batch_loss", "batch_accuracy")
EPOCH_TRACES = ("loss", "val_loss", "accuracy", "val_accuracy")
EPOCH_TIME_TRACES = ("epoch_seconds", "learning_rate")

_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "template": "plotly_white",
           "legend": {"orientation": "h", "y": -0.2}, "uirevision": "keep"}


def batch_figure(records=()):
    """Per-batch loss and accuracy (left and right axes), with batch time on hover."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    steps = [r["step"] for r in records]
    hover = [f"epoch {r['epoch']} batch {r['batch']}<br>{1000 * r['batch_seconds']:.0f} ms"
             for r in records]
    figure.add_trace(go.Scatter(x=steps, y=[r.get("batch_loss") for r in records],
                                name="loss", mode="lines", text=hover,
                                line={"color": "#d62728"}), secondary_y=False)
    figure.add_trace(go.Scatter(x=steps, y=[r.get("batch_accuracy") for r in records],
                                name="accuracy", mode="lines", text=hover,
                                line={"color": "#1f77b4"}), secondary_y=True)
    figure.update_layout(title="Per batch", xaxis_title="step", **_LAYOUT)
    figure.update_yaxes(title_text="loss", secondary_y=False)
    figure.update_yaxes(title_text="accuracy", range=[0, 1], dtick=0.2, tickmode="linear",
                        showgrid=False, secondary_y=True)
    return figure


def batch_extension(records):
    """`extendData` for `batch_figure`: (data, trace indices)."""
    steps = [r["step"] for r in records]
    hover = [f"epoch {r['epoch']} batch {r['batch']}<br>{1000 * r['batch_seconds']:.0f} ms"
             for r in records]
    data = {"x": [steps, steps], "y": [[r.get(k) for r in records] for k in BATCH_TRACES],
            "text": [hover, hover]}
    return data, [0, 1]


def epoch_figure(records=()):
    """Training and validation loss (top) and accuracy (bottom) per epoch."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           subplot_titles=("loss", "accuracy"))
    epochs = [r["epoch"] for r in records]
    styles = {"loss": ("train loss", "#d62728", "solid", 1),
              "val_loss": ("validation loss", "#d62728", "dot", 1),
              "accuracy": ("train accuracy", "#1f77b4", "solid", 2),
              "val_accuracy": ("validation accuracy", "#1f77b4", "dot", 2)}
    for key in EPOCH_TRACES:
        name, color, dash, row = styles[key]
        figure.add_trace(go.Scatter(x=epochs, y=[r.get(key) for r in records], name=name,
                                    mode="lines+markers", line={"color": color, "dash": dash}),
                         row=row, col=1)
    figure.update_layout(title="Per epoch", height=420, **_LAYOUT)
    figure.update_xaxes(title_text="epoch", row=2, col=1)
    return figure


def epoch_extension(records):
    epochs = [r["epoch"] for r in records]
    data = {"x": [epochs] * len(EPOCH_TRACES),
            "y": [[r.get(k) for r in records] for k in EPOCH_TRACES]}
    return data, list(range(len(EPOCH_TRACES)))


def epoch_time_figure(records=()):
    """Seconds per epoch (bars) and the learning rate (line, log axis)."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    epochs = [r["epoch"] for r in records]
    figure.add_trace(go.Bar(x=epochs, y=[r.get("epoch_seconds") for r in records],
                            name="epoch time (s)", marker_color="#7f7f7f"), secondary_y=False)
    figure.add_trace(go.Scatter(x=epochs, y=[r.get("learning_rate") for r in records],
                                name="learning rate", mode="lines+markers",
                                line={"color": "#2ca02c"}), secondary_y=True)
    figure.update_layout(title="Epoch time and learning rate", height=300, **_LAYOUT)
    figure.update_yaxes(title_text="seconds", secondary_y=False)
    figure.update_yaxes(title_text="learning rate", type="log", secondary_y=True)
    return figure


def epoch_time_extension(records):
    epochs = [r["epoch"] for r in records]
    data = {"x": [epochs, epochs],
            "y": [[r.get(k) for r in records] for k in EPOCH_TIME_TRACES]}
    return data, [0, 1]


def confusion_matrix_figure(matrix, class_names, title="Confusion matrix"):
    """A heatmap of counts: rows are true labels, columns predictions."""
    labels = [str(name) for name in class_names]
    figure = go.Figure(go.Heatmap(
        z=matrix, x=labels, y=labels, text=matrix, texttemplate="%{text}",
        colorscale="Blues", showscale=False,
        hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
    ))
    figure.update_layout(title=title, xaxis_title="predicted", yaxis_title="true",
                         yaxis_autorange="reversed", height=460,
                         margin={"l": 60, "r": 20, "t": 40, "b": 50}, template="plotly_white")
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category")
    return figure


def empty_figure(message):
    """A blank figure that says why it is blank."""
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False}, yaxis={"visible": False}, template="plotly_white", height=300,
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14}}],
    )
    return figure
