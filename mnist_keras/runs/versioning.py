"""How run files are versioned: one schema version, read rules, one error.

Every JSON file of a run folder carries a `schema_version`. A reader accepts
files of its own version and older ones (a file without a version is from
before versioning and reads with defaults), ignores keys it does not know (a
newer release may add some), and refuses a newer version with a message that
says to upgrade.
"""

import dataclasses

from mnist_keras.errors import MnistKerasError

SCHEMA_VERSION = 1


class RunFormatError(MnistKerasError):
    """A run folder's file is not readable by this release (damaged, not a run, or newer)."""

def check_version(data, file_name, run_name=None):
    """Raises `RunFormatError` unless `data` is a dict this release can read."""
    where = f"{run_name}/{file_name}" if run_name else file_name
    if not isinstance(data, dict):
        raise RunFormatError(f"Expected {where} to hold a JSON object. "
                             f"Received: {type(data).__name__}")
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise RunFormatError(f"Expected a schema_version as a whole number in {where}. "
                             f"Received: schema_version={version!r}")
    if version > SCHEMA_VERSION:
        raise RunFormatError(
            f"Expected {where} in run format version {SCHEMA_VERSION} or older. Received: "
            f"schema_version={version} (written by a newer mnist-keras: upgrade to read it)")
    return data


def known_fields(cls, data):
    """The items of `data` that are fields of the dataclass `cls` (unknown keys dropped)."""
    names = {field.name for field in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def versioned(values):
    """`values` with this release's `schema_version` first."""
    return {"schema_version": SCHEMA_VERSION, **values}
