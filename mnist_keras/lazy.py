"""Packages whose names are imported on first use (PEP 562), so importing them is cheap.

Built on scientific-python's `lazy_loader` (what scikit-image and NetworkX
use), with the two things a package here also needs: its subpackages reached
as attributes (`mk.runs`) without listing them among its public names, and
names that moved elsewhere still answering, with a `DeprecationWarning` that
says where they went.

```python
# in a package's __init__.py
from mnist_keras.lazy import lazy_package

__getattr__, __dir__, __all__ = lazy_package(
    __name__, {"training": ["train"], "config": ["TrainingConfig"]},
    moved={"RunIndex": "mnist_keras.runs"})
```
"""

import importlib
import warnings

import lazy_loader


def lazy_package(package, exports, moved=None, submodules=True):
    """The `__getattr__`, `__dir__` and `__all__` of a package with lazy names.

    Args:
        package: the package's name (its `__name__`).
        exports: `{submodule: [name, ...]}`: the public names and the module
            (relative to `package`) that defines each. They make `__all__`.
        moved: `{old_name: "new.module"}`: names the package no longer
            exports; reading one imports it from its new module and warns.
        submodules: reading an unknown name imports the submodule of that
            name, if there is one (`mnist_keras.runs`).

    Returns:
        `(__getattr__, __dir__, __all__)`, to assign in the package.
    """
    moved = dict(moved or {})
    load, list_names, public = lazy_loader.attach(package, submod_attrs=exports)

    def __getattr__(name):
        if name in public:
            return load(name)
        if name in moved:
            warnings.warn(f"{package}.{name} moved: import it from {moved[name]} "
                          f"(`from {moved[name]} import {name}`)", DeprecationWarning,
                          stacklevel=2)
            return getattr(importlib.import_module(moved[name]), name)
        if submodules and not name.startswith("__"):
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{package}.{name}":
                    raise  # the submodule exists but something it imports is missing
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__, list_names, public
