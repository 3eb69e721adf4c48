"""The Your handwriting panel's figure: how many samples of each digit a dataset has."""

from dashboard.shared.figures import base_layout


def counts_figure(counts, title):
    """Bars of samples per digit; digits with none are marked, so the gaps show."""
    digits = [str(digit) for digit in range(10)]
    values = [int(counts.get(digit, 0)) for digit in range(10)]
    data = [{"type": "bar", "x": digits, "y": values, "text": values, "textposition": "auto",
             "marker": {"color": ["#dc2626" if value == 0 else "#60a5fa" for value in values]},
             "hovertemplate": "%{x}: %{y} samples<extra></extra>"}]
    layout = base_layout(title, 240, xaxis={"type": "category", "title": {"text": "digit"}},
                         yaxis={"title": {"text": "samples"}, "rangemode": "tozero"})
    return {"data": data, "layout": layout}
