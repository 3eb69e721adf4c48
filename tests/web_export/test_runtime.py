"""The bundled browser runtimes (TF.js, onnxruntime-web): as the lock file pins, shipped."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

from mnist_keras.errors import MnistKerasError
from web_export.runtime import (
    RUNTIME_FILES,
    RUNTIMES,
    VENDOR_DIR,
    copy_runtime,
    lock_entries,
    read_manifest,
    refresh,
    runtime_version,
    sha256,
    tfjs_version,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCK = os.path.join(ROOT, "package-lock.json")
NODE_MODULES = os.path.join(ROOT, "node_modules")


def test_the_bundle_is_what_the_lock_file_pins():
    manifest = read_manifest()
    # The manifest records the lock file's own tarball integrity hashes...
    assert manifest["packages"] == lock_entries(LOCK)
    assert tfjs_version() == lock_entries(LOCK)["@tensorflow/tfjs"]["version"]
    # ...and the bundled files are the ones it lists, byte for byte.
    assert sorted(manifest["files"]) == sorted(name for _, name in RUNTIME_FILES)
    for name, digest in manifest["files"].items():
        assert sha256(os.path.join(VENDOR_DIR, name)) == digest, name


def test_the_bundle_equals_what_npm_ci_verified():
    assert os.path.isdir(NODE_MODULES), "run `npm ci` first (the tests session does)"
    # npm ci checks each tarball against the lock file's integrity hash; the
    # bundled files must be exactly the files it unpacked.
    for package, name in RUNTIME_FILES:
        installed = os.path.join(NODE_MODULES, *package.split("/"), "dist", name)
        assert sha256(installed) == sha256(os.path.join(VENDOR_DIR, name)), name


def test_copy_checks_every_file(tmp_path):
    assert sorted(copy_runtime(tmp_path / "out")) == sorted(n for _, n in RUNTIMES["tfjs"])
    assert sorted(os.listdir(tmp_path / "out")) == sorted(n for _, n in RUNTIMES["tfjs"])
    ort = copy_runtime(tmp_path / "ort", "onnxruntime-web")
    assert sorted(ort) == sorted(os.listdir(tmp_path / "ort")) == [
        "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm",
        "ort.webgpu.min.mjs"]
    assert runtime_version("onnxruntime-web") == lock_entries(LOCK)["onnxruntime-web"]["version"]
    vendor = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, vendor)
    os.remove(vendor / "tfjs-backend-wasm.wasm")
    with pytest.raises(MnistKerasError, match="tfjs-backend-wasm.wasm.*Received: nothing"):
        copy_runtime(tmp_path / "again", vendor_dir=vendor)
    os.remove(vendor / "MANIFEST.json")
    with pytest.raises(MnistKerasError, match="bundled browser runtimes.*Reinstall"):
        copy_runtime(tmp_path / "again", vendor_dir=vendor)


def _fake_node_modules(folder, versions):
    for package, name in RUNTIME_FILES:
        dist = folder.joinpath(*package.split("/"), "dist")
        dist.mkdir(parents=True, exist_ok=True)
        (dist / name).write_text(f"// {name}")
        (dist.parent / "package.json").write_text(json.dumps({"version": versions[package]}))


def test_refresh_copies_from_npm_and_refuses_another_version(tmp_path):
    locked = {package: entry["version"] for package, entry in lock_entries(LOCK).items()}
    _fake_node_modules(tmp_path / "old", {**locked, "@tensorflow/tfjs": "4.1.0"})
    with pytest.raises(MnistKerasError, match=f"tfjs {locked['@tensorflow/tfjs']} .*"
                                              "Received: 4.1.0"):
        refresh(tmp_path / "old", LOCK, vendor_dir=tmp_path / "vendor")
    _fake_node_modules(tmp_path / "nm", locked)
    manifest = refresh(tmp_path / "nm", LOCK, vendor_dir=tmp_path / "vendor")
    assert manifest["packages"] == lock_entries(LOCK)
    assert (tmp_path / "vendor" / "tf.min.js").read_text() == "// tf.min.js"
    assert read_manifest(tmp_path / "vendor") == manifest


def test_sdist_and_wheel_carry_the_runtime(tmp_path):
    # Built from the source tree as pip would (no isolation: setuptools is here).
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), ROOT], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    (wheel,) = [p for p in os.listdir(tmp_path) if p.endswith(".whl")]
    names = set(zipfile.ZipFile(tmp_path / wheel).namelist())
    expected = {f"web_export/vendor/{name}" for _, name in RUNTIME_FILES}
    assert expected | {"web_export/vendor/MANIFEST.json"} <= names
    sdist_dir = tmp_path / "sdist"
    completed = subprocess.run(
        [sys.executable, "-c", "from setuptools import build_meta as b; import sys; "
         f"print(b.build_sdist({str(sdist_dir)!r}))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    (sdist,) = os.listdir(sdist_dir)
    with tarfile.open(sdist_dir / sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"web_export/vendor/{name}" for _, name in RUNTIME_FILES} <= members
