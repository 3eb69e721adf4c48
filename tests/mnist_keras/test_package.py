import subprocess
import sys

import pytest

import mnist_keras as mk


@pytest.mark.parametrize("name", mk.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(mk, name) is not None


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mk.nothing  # noqa: B018


def test_importing_the_package_does_not_import_tensorflow():
    code = "import sys, mnist_keras; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "False"
