"""The Draw panel's figure: a prediction's ten probabilities, coloured by confidence."""

from dashboard.shared.figures import base_layout, plain
from mnist_keras.prediction import confidence_level

# The colour of each confidence level (`mnist_keras.confidence_level`).
LEVEL_COLORS = {"high": "#16a34a", "medium": "#ca8a04", "low": "#dc2626"}


def confidence_color(confidence):
    """The colour of a prediction's confidence (a probability in [0, 1])."""
    return LEVEL_COLORS[confidence_level(confidence)]


def probability_figure(probabilities, class_names=None):
    """Bars of all 10 class probabilities; the predicted class in its confidence colour."""
    labels = [plain(name) for name in (class_names or range(len(probabilities)))]
    best = max(range(len(probabilities)), key=lambda i: probabilities[i])
    colors = ["#cbd5e1"] * len(probabilities)
    colors[best] = confidence_color(probabilities[best])
    data = [{"type": "bar", "x": labels, "y": [float(p) for p in probabilities],
             "marker": {"color": colors},
             "hovertemplate": "%{x}: %{y:.1%}<extra></extra>"}]
    what = "digit" if labels == [str(d) for d in range(10)] else "class"
    layout = base_layout("", 200, xaxis={"type": "category", "title": {"text": what}},
                     yaxis={"range": [0, 1], "tickformat": ".0%"}, showlegend=False)
    layout["margin"] = {"l": 45, "r": 10, "t": 10, "b": 40}
    return {"data": data, "layout": layout}
