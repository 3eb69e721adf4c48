"""The network drawn as blocks: one per layer, with its output shape and parameters.

Blocks follow the layers in order, an arrow between each; a layer that reads
from anything but the block before it (a branch, a residual connection) says
where its inputs come from. Each block is a button with a pattern-matching id,
`{"type": LAYER_BLOCK, "layer": name}`, so a click can show that layer's
feature maps and weights.
"""

from dash import html

from dashboard.shared import ids

# Blocks are coloured by what the layer does, so the pattern of a network
# (convolve, normalise, pool; then dense) shows at a glance.
KINDS = {
    "conv": ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"),
    "pool": ("MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
             "GlobalMaxPooling2D"),
    "dense": ("Dense",),
    "norm": ("BatchNormalization", "LayerNormalization"),
    "merge": ("Add", "Concatenate", "Multiply", "Average", "Maximum", "Minimum"),
}


def layer_kind(layer_type):
    """`conv`, `pool`, `dense`, `norm`, `merge` or `other`, for a block's colour."""
    for kind, types in KINDS.items():
        if layer_type in types:
            return kind
    return "other"


def _shape(shape):
    return "×".join(str(d) for d in shape)


def diagram(rows, focused=None):
    """The blocks of a model's layers.

    Args:
        rows: `mnist_keras.inspection.layer_summary` rows (with `inputs`).
        focused: the name of the layer shown below, highlighted.

    Returns:
        A list of components: blocks and the arrows between them.
    """
    items = [html.Div(className="net-block net-input", children=[
        html.Div("input", className="net-type"), html.Div("28×28×1", className="net-shape")])]
    previous = None
    for row in rows:
        items.append(html.Div("→", className="net-arrow", **{"aria-hidden": "true"}))
        inputs = row.get("inputs") or []
        note = None
        if previous is not None and inputs and inputs != [previous]:
            note = html.Div("from " + " + ".join(inputs), className="net-from")
        focus = " focused" if row["name"] == focused else ""
        items.append(html.Button(
            id={"type": ids.LAYER_BLOCK, "layer": row["name"]}, n_clicks=0,
            className=f"net-block net-{layer_kind(row['type'])}{focus}",
            title=f"{row['name']} ({row['type']}): output {_shape(row['output_shape'])}, "
                  f"{row['params']:,} parameters. Click to see it below.",
            children=[html.Div(row["type"], className="net-type"),
                      html.Div(row["name"], className="net-name"),
                      html.Div(_shape(row["output_shape"]), className="net-shape"),
                      html.Div(f"{row['params']:,} params" if row["params"] else "no weights",
                               className="net-params"),
                      note]))
        previous = row["name"]
    return items
