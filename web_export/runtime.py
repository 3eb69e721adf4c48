"""The browser runtimes an exported site needs, shipped inside this package.

The way Dash ships plotly.js in its wheel, the pinned TF.js files (core, the
WebGPU and WASM backends, and the WASM binaries) and onnxruntime-web's (its
WebGPU build, which also runs on WASM, and that build's binary) live in
`web_export/vendor/`, package data of the sdist and the wheel: an export
works after a plain `pip install "mnist-keras[export]"`, with no npm and no
source checkout. A site gets only its own runtime's files.

`vendor/MANIFEST.json` records, per npm package, the version and the tarball
integrity from `package-lock.json`, and each copied file's SHA-256. The files
are refreshed from npm with one command, which checks them on the way in:

    python3 -m nox -s js      # npm ci (verifies every tarball against the lock), then
                              # python3 -m web_export.runtime refresh
"""

import hashlib
import json
import os
import shutil
import sys

from mnist_keras.errors import MnistKerasError

VENDOR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")
MANIFEST_FILE = "MANIFEST.json"

# Per runtime, (npm package, file in its dist/) -> copied into vendor/, and
# into the vendor/ of each site that runs on that runtime.
RUNTIMES = {
    "tfjs": (
        ("@tensorflow/tfjs", "tf.min.js"),
        ("@tensorflow/tfjs-backend-webgpu", "tf-backend-webgpu.min.js"),
        ("@tensorflow/tfjs-backend-wasm", "tf-backend-wasm.min.js"),
        ("@tensorflow/tfjs-backend-wasm", "tfjs-backend-wasm.wasm"),
        ("@tensorflow/tfjs-backend-wasm", "tfjs-backend-wasm-simd.wasm"),
        ("@tensorflow/tfjs-backend-wasm", "tfjs-backend-wasm-threaded-simd.wasm"),
    ),
    # The WebGPU build (an ES module) carries the WASM provider too, on one
    # binary: 27 MB, where the WASM-only build's 14 MB would leave out WebGPU.
    "onnxruntime-web": (
        ("onnxruntime-web", "ort.webgpu.min.mjs"),
        ("onnxruntime-web", "ort-wasm-simd-threaded.asyncify.mjs"),
        ("onnxruntime-web", "ort-wasm-simd-threaded.asyncify.wasm"),
    ),
}
RUNTIME_FILES = tuple(entry for files in RUNTIMES.values() for entry in files)
# The package whose version names each runtime.
RUNTIME_PACKAGES = {"tfjs": "@tensorflow/tfjs", "onnxruntime-web": "onnxruntime-web"}
_REINSTALL = "Reinstall mnist-keras, or run `python3 -m nox -s js` in a source checkout."


def sha256(path):
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(vendor_dir=VENDOR_DIR):
    """The bundled runtime's manifest: `{"packages": {name: {version, integrity}}, "files"}`.

    Raises:
        MnistKerasError: if the package was installed without its runtime.
    """
    path = os.path.join(vendor_dir, MANIFEST_FILE)
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError) as error:
        raise MnistKerasError(f"Expected the bundled browser runtimes. Received: "
                              f"{error.__class__.__name__} reading {path}. {_REINSTALL}") \
            from None


def runtime_version(runtime="tfjs", vendor_dir=VENDOR_DIR):
    """The bundled version of a runtime (the lock file's, when it was refreshed).

    >>> runtime_version("tfjs")
    '4.22.0'
    """
    return read_manifest(vendor_dir)["packages"][RUNTIME_PACKAGES[runtime]]["version"]


def tfjs_version(vendor_dir=VENDOR_DIR):
    """The TF.js version of the bundled runtime (the lock file's, when it was refreshed)."""
    return runtime_version("tfjs", vendor_dir)


def copy_runtime(destination, runtime="tfjs", vendor_dir=VENDOR_DIR):
    """Copies one bundled browser runtime into `destination`, checking every file.

    Args:
        destination: the folder to copy into (created if needed).
        runtime: `"tfjs"` or `"onnxruntime-web"`.
        vendor_dir: where the runtimes are bundled. Defaults to this package's.

    Returns:
        The copied file names.

    Raises:
        MnistKerasError: if a file is missing or differs from the manifest.
    """
    recorded = read_manifest(vendor_dir)["files"]
    names = [name for _, name in RUNTIMES[runtime]]
    os.makedirs(destination, exist_ok=True)
    for name in names:
        source = os.path.join(vendor_dir, name)
        if (name not in recorded or not os.path.isfile(source)
                or sha256(source) != recorded[name]):
            raise MnistKerasError(
                f"Expected the bundled {runtime} file {name} as its manifest records it. "
                f"Received: {'a different file' if os.path.isfile(source) else 'nothing'} "
                f"at {source}. {_REINSTALL}")
        shutil.copyfile(source, os.path.join(destination, name))
    return names


def lock_entries(lock_path):
    """`{package: {"version", "integrity"}}` of the runtime's packages in package-lock.json."""
    with open(lock_path, encoding="utf-8") as file:
        packages = json.load(file)["packages"]
    entries = {}
    for package, _ in RUNTIME_FILES:
        entry = packages.get(f"node_modules/{package}")
        if not entry:
            raise MnistKerasError(f"Expected {package} in {lock_path}. Received: no entry")
        entries[package] = {"version": entry["version"], "integrity": entry["integrity"]}
    return entries


def refresh(node_modules, lock_path, vendor_dir=VENDOR_DIR):
    """Copies the runtime from an `npm ci`'d `node_modules/` into `vendor_dir`.

    `npm ci` has checked each package's tarball against the lock file's
    integrity hash; this checks each package's installed version against the
    lock, copies the files and writes the manifest.

    Returns:
        The manifest written.

    Raises:
        MnistKerasError: if a package is missing or of another version.
    """
    locked = lock_entries(lock_path)
    os.makedirs(vendor_dir, exist_ok=True)
    files = {}
    for package, name in RUNTIME_FILES:
        package_dir = os.path.join(node_modules, *package.split("/"))
        try:
            with open(os.path.join(package_dir, "package.json"), encoding="utf-8") as file:
                version = json.load(file)["version"]
        except (OSError, ValueError, KeyError):
            version = None
        if version != locked[package]["version"]:
            raise MnistKerasError(
                f"Expected {package} {locked[package]['version']} (package-lock.json) in "
                f"{node_modules}. Received: {version or 'nothing'}; run `npm ci` first.")
        target = os.path.join(vendor_dir, name)
        shutil.copyfile(os.path.join(package_dir, "dist", name), target)
        files[name] = sha256(target)
    manifest = {"source": "npm, package-lock.json", "packages": locked, "files": files}
    with open(os.path.join(vendor_dir, MANIFEST_FILE), "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=2)
        file.write("\n")
    return manifest


def main(argv=None):
    """`python3 -m web_export.runtime refresh [NODE_MODULES [LOCK_FILE]]`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "refresh":
        print("usage: python3 -m web_export.runtime refresh [NODE_MODULES [LOCK_FILE]]",
              file=sys.stderr)
        return 2
    node_modules = argv[1] if len(argv) > 1 else "node_modules"
    lock_path = argv[2] if len(argv) > 2 else "package-lock.json"
    try:
        manifest = refresh(node_modules, lock_path)
    except MnistKerasError as error:
        print(f"refresh: error: {error}", file=sys.stderr)
        return 2
    total = sum(os.path.getsize(os.path.join(VENDOR_DIR, name)) for name in manifest["files"])
    versions = ", ".join(f"{runtime} {manifest['packages'][package]['version']}"
                         for runtime, package in RUNTIME_PACKAGES.items())
    print(f"Bundled {versions}: "
          f"{len(manifest['files'])} files, {total:,} bytes in {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
