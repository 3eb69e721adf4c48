"""environment.json: the software, hardware and data a run was trained with.

Written when a training starts, so a crashed run has one too. It is what
`reproduce` compares when a re-run's weights differ: a different Keras, CPU
or data checksum explains a difference; the same everything with
deterministic ops on should give the same weights bit for bit.
"""

import dataclasses
from typing import Optional

from mnist_keras.runs.versioning import RunFormatError, check_version, known_fields, versioned

# Entries that describe the moment, not the environment: never "a difference".
_NOT_COMPARED = ("recorded",)


@dataclasses.dataclass(frozen=True)
class RunEnvironment:
    """environment.json.

    Attributes:
        python, mnist_keras, keras, numpy: versions.
        backend: Keras' backend (`tensorflow`, `jax`); `backend_version` its version.
        system: the operating system and machine (`Linux x86_64`).
        cpu: the processor's model name; `cpu_features` the instruction sets
            the framework's kernels can use that it has (AVX2, AVX-512, AMX...).
        gpus: the GPUs the backend sees, by name.
        source_commit: the git commit of the source when run from a checkout
            (None from an installed package), and `source_changed` whether
            that checkout had uncommitted changes.
        data_sha256: checksum of the training and validation images and
            labels actually used; `data_images` how many there were.
        seed: the run's seed; `deterministic` whether deterministic ops were on.
        recorded: when it was written (seconds since the epoch).
    """

    python: str
    mnist_keras: str
    keras: str
    numpy: str
    backend: str
    backend_version: Optional[str] = None
    system: Optional[str] = None
    cpu: Optional[str] = None
    cpu_features: tuple = ()
    gpus: tuple = ()
    source_commit: Optional[str] = None
    source_changed: Optional[bool] = None
    data_sha256: Optional[str] = None
    data_images: Optional[int] = None
    seed: Optional[int] = None
    deterministic: bool = False
    recorded: Optional[float] = None

    def differences(self, other):
        """The entries that differ from `other`'s: `{name: (this one's, the other's)}`.

        >>> a = RunEnvironment("3.11.7", "0.1.0", "3.15.0", "2.1.3", "tensorflow")
        >>> a.differences(dataclasses.replace(a, keras="3.16.0", recorded=1.0))
        {'keras': ('3.15.0', '3.16.0')}
        """
        mine, theirs = dataclasses.asdict(self), dataclasses.asdict(other)
        return {name: (mine[name], theirs[name]) for name in mine
                if name not in _NOT_COMPARED and mine[name] != theirs[name]}

    def to_dict(self):
        values = dataclasses.asdict(self)
        values["cpu_features"], values["gpus"] = list(self.cpu_features), list(self.gpus)
        return versioned(values)

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = known_fields(cls, check_version(data, "environment.json", run_name))
        try:
            values["cpu_features"] = tuple(values.get("cpu_features") or ())
            values["gpus"] = tuple(values.get("gpus") or ())
            return cls(**values)
        except TypeError as error:
            raise RunFormatError(f"Expected a complete environment.json. Received: "
                                 f"{str(error)[:200]}") from None
