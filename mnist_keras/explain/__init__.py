"""Why a model answered what it did, and where a drawing sits among the test digits.

One module per job, each usable on any finished model (trained here,
uploaded or pruned; Sequential or functional), on any Keras backend:

- `saliency.py`: saliency maps (Grad-CAM, integrated gradients, SmoothGrad).
- `embedding.py`: the penultimate layer's activations mapped in 2-D (PCA,
  t-SNE, UMAP) and new drawings placed on the map.
- `adversarial.py`: the smallest perturbation found that flips a prediction
  (FGSM, PGD).
- `calibration.py`: reliability curves and the expected calibration error.
- `overlay.py`: a map drawn over its input, as an RGB image.
- `gradients.py`: the one backend-specific piece, input gradients.
- `model_parts.py`: last conv layer, penultimate layer, a model split in two.

```python
from mnist_keras.explain import saliency, embed, place, adversarial
heat = saliency(model, x, method="integrated_gradients")
```
"""

from mnist_keras.explain.adversarial import AdversarialExample, adversarial
from mnist_keras.explain.calibration import (
    Calibration,
    calibration,
    calibration_from_probabilities,
)
from mnist_keras.explain.embedding import (
    PLACEABLE,
    Embedding,
    embed,
    features,
    place,
    place_features,
    umap_available,
)
from mnist_keras.explain.gradients import gradients
from mnist_keras.explain.model_parts import (
    feature_model,
    last_conv_layer,
    penultimate_layer,
    split_at,
)
from mnist_keras.explain.overlay import heat_colors, overlay
from mnist_keras.explain.saliency import gradcam_layer, saliency

__all__ = [
    "PLACEABLE",
    "AdversarialExample",
    "Calibration",
    "Embedding",
    "adversarial",
    "calibration",
    "calibration_from_probabilities",
    "embed",
    "feature_model",
    "features",
    "gradcam_layer",
    "gradients",
    "heat_colors",
    "last_conv_layer",
    "overlay",
    "penultimate_layer",
    "place",
    "place_features",
    "saliency",
    "split_at",
    "umap_available",
]
