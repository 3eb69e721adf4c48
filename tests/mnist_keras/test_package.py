import subprocess
import sys

import pytest

import mnist_keras as mk


@pytest.mark.parametrize("name", mk.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(mk, name) is not None


def test_the_top_level_keeps_at_most_twenty_everyday_names():
    assert len(mk.__all__) <= 20
    assert {"TrainingConfig", "train", "load_dataset", "build_model", "evaluate",
            "predict_digits", "preprocess_drawing", "Run", "list_runs", "load_model", "prune",
            "import_model", "MnistKerasError"} <= set(mk.__all__)
    assert set(dir(mk)) >= set(mk.__all__)


@pytest.mark.parametrize("name, home", sorted(mk._MOVED.items()))
def test_a_name_that_moved_still_answers_from_its_home_with_a_warning(name, home):
    import importlib

    with pytest.warns(DeprecationWarning, match=f"from {home} import {name}"):
        value = getattr(mk, name)
    assert value is getattr(importlib.import_module(home), name)
    assert name not in mk.__all__


def test_subpackages_are_reached_as_attributes():
    assert mk.runs.RunIndex is not None and mk.sweeps.run_sweep is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mk.datasets.nothing  # noqa: B018


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mk.nothing  # noqa: B018


def test_importing_the_package_does_not_import_tensorflow():
    code = "import sys, mnist_keras; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "False"


def _modules_after(code):
    result = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"],
                            capture_output=True, text=True, timeout=300, check=True)
    return set(result.stdout.split())


def test_the_whole_library_imports_no_consumer_and_no_dash():
    # Every module of the library, imported: the arrows point one way.
    code = ("import importlib, pkgutil, mnist_keras\n"
            "for info in pkgutil.walk_packages(mnist_keras.__path__, 'mnist_keras.'):\n"
            "    if not info.name.endswith('__main__'):\n"
            "        importlib.import_module(info.name)")
    loaded = _modules_after(code)
    assert "keras" in loaded  # it did import everything
    assert not loaded & {"dash", "dash_canvas", "plotly", "flask", "tensorflowjs",
                         "dashboard", "web_export"}


def test_extras_keep_dash_and_tensorflowjs_out_of_a_plain_install():
    import re
    from importlib.metadata import requires

    core, extras = set(), {}
    for requirement in requires("mnist-keras"):
        name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]
        extra = re.search(r'extra == "(\w+)"', requirement)
        if extra:
            extras.setdefault(extra.group(1), set()).add(name)
        else:
            core.add(name)
    assert {"tensorflow", "keras", "numpy", "optuna"} <= core  # `sweep` is a library command
    assert not core & {"dash", "dash-canvas", "plotly", "tensorflowjs", "ydf", "setuptools",
                       "psycopg"}
    assert {"psycopg"} <= extras["postgres"] and "psycopg" in extras["test"]
    assert {"dash", "dash-canvas", "plotly"} <= extras["dashboard"]
    assert {"tensorflowjs", "ydf"} <= extras["export"]
