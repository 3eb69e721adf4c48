"""The part of config.json that describes a model written in Python code.

A run whose architecture came from a user's code (a functional or subclassed
Keras model given to `train(config, model=...)`, or a `RunRecorder` in a
user's own `model.fit`) cannot be rebuilt from its settings: config.json
keeps what can be said about the model instead, so people and `reproduce`
know what is missing:

    "code_model": {"name", "class_name", "params", "input_shape", "output_shape", "summary"}
"""

import dataclasses
from typing import Optional

from mnist_keras.runs.versioning import RunFormatError

# A summary is a table of layers; a model of thousands of layers is cut, not refused.
MAX_SUMMARY_CHARACTERS = 20_000


@dataclasses.dataclass(frozen=True)
class CodeModel:
    """A model built in Python: its name, class and size, and its summary.

    Attributes:
        name: the model's name (`model.name`).
        class_name: its class, with the module for a user's subclass
            (`my_models.SmallNet`), or Keras' `Functional` or `Sequential`.
        params: its parameter count.
        input_shape, output_shape: without the batch axis; None when unknown.
        summary: `model.summary()`'s table (at most 20,000 characters).
    """

    name: str
    class_name: str
    params: int = 0
    input_shape: Optional[tuple] = None
    output_shape: Optional[tuple] = None
    summary: str = ""

    @property
    def label(self):
        """The model in a few words, for tables: `small_net (code)`."""
        return f"{self.name} (code)"

    def to_dict(self):
        values = dataclasses.asdict(self)
        for key in ("input_shape", "output_shape"):
            if values[key] is not None:
                values[key] = list(values[key])
        return values

    @classmethod
    def from_dict(cls, data, where="config.json"):
        if not isinstance(data, dict) or not isinstance(data.get("name"), str) \
                or not isinstance(data.get("class_name"), str):
            raise RunFormatError(f"Expected a code_model with a name and a class_name in "
                                 f"{where}. Received: {str(data)[:100]}")
        shapes = {}
        for key in ("input_shape", "output_shape"):
            shape = data.get(key)
            shapes[key] = tuple(shape) if isinstance(shape, list) else None
        params = data.get("params")
        return cls(name=data["name"][:200], class_name=data["class_name"][:200],
                   params=params if isinstance(params, int) and params >= 0 else 0,
                   summary=str(data.get("summary", ""))[:MAX_SUMMARY_CHARACTERS], **shapes)
