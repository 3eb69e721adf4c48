"""The TensorFlow.js runtime files an exported site needs, copied from npm's node_modules.

`package.json` (with its lock file) at the project root pins one TF.js version
for the core and both extra backends; `npm ci` (or `python3 -m nox -s js`)
puts them in `node_modules/`. Nothing is fetched from a CDN: the page loads
these copies from its own folder.
"""

import os
import shutil

from mnist_keras.errors import MnistKerasError

TFJS_VERSION = "4.22.0"

# (package, file in its dist/) -> copied to the site's vendor/ folder.
RUNTIME_FILES = (
    ("tfjs", "tf.min.js"),
    ("tfjs-backend-webgpu", "tf-backend-webgpu.min.js"),
    ("tfjs-backend-wasm", "tf-backend-wasm.min.js"),
    ("tfjs-backend-wasm", "tfjs-backend-wasm.wasm"),
    ("tfjs-backend-wasm", "tfjs-backend-wasm-simd.wasm"),
    ("tfjs-backend-wasm", "tfjs-backend-wasm-threaded-simd.wasm"),
)


def default_node_modules():
    """`node_modules/` beside this package's project root (where `npm ci` puts it)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "node_modules")


def copy_runtime(destination, node_modules=None):
    """Copies the pinned TF.js runtime into `destination`.

    Args:
        destination: the folder to copy into (created if needed).
        node_modules: where npm installed the packages; defaults to
            `MNIST_KERAS_NODE_MODULES` or the project's `node_modules/`.

    Returns:
        The copied file names.

    Raises:
        MnistKerasError: if a file is missing or of another TF.js version.
    """
    import json

    node_modules = node_modules or os.environ.get("MNIST_KERAS_NODE_MODULES") \
        or default_node_modules()
    hint = ("Install it with `python3 -m nox -s js` (runs `npm ci` in the project folder) "
            "or point MNIST_KERAS_NODE_MODULES at a node_modules folder that has it.")
    os.makedirs(destination, exist_ok=True)
    copied = []
    for package, name in RUNTIME_FILES:
        package_dir = os.path.join(node_modules, "@tensorflow", package)
        source = os.path.join(package_dir, "dist", name)
        if not os.path.isfile(source):
            raise MnistKerasError(
                f"Expected the TensorFlow.js runtime file {name} of @tensorflow/{package}. "
                f"Received: nothing at {source}. {hint}")
        with open(os.path.join(package_dir, "package.json"), encoding="utf-8") as file:
            version = json.load(file).get("version")
        if version != TFJS_VERSION:
            raise MnistKerasError(
                f"Expected @tensorflow/{package} {TFJS_VERSION}. Received: version {version} "
                f"in {package_dir}. {hint}")
        shutil.copyfile(source, os.path.join(destination, name))
        copied.append(name)
    return copied
