"""The drawing pad people draw on: its size, the pen, and when a drawing is read.

One source for both front ends: the dashboard's canvas reads these names, and
the exported page reads them from its `model-info.json` (`pad`), so neither
restates them. A stroke of `PEN_WIDTH` on a pad of `PAD_SIZE` becomes, once
the drawing recipe scales the digit's longer side to 20 px, about as thick as
MNIST's own strokes.

>>> pad_settings()
{'size': 280, 'pen_width': 22, 'pause_ms': 500}
"""

# The pad's side in pixels (square): ten pad pixels per model input pixel.
PAD_SIZE = 280
# The pen's width in pad pixels.
PEN_WIDTH = 22
# Milliseconds after the last stroke before the drawing is predicted: long
# enough to start the next stroke of the same digit, short enough to feel live.
PAUSE_MS = 500


def pad_settings():
    """The pad as plain JSON-ready data: `{size, pen_width, pause_ms}`."""
    return {"size": PAD_SIZE, "pen_width": PEN_WIDTH, "pause_ms": PAUSE_MS}
