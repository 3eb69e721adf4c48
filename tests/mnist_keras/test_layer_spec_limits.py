"""Layer specs come from files and requests: any of them is built or refused in one line,
before Keras allocates anything."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnist_keras import layer_specs
from mnist_keras.errors import MnistKerasError
from mnist_keras.layer_specs import (
    LAYER_SETTINGS,
    MAX_SPEC_LAYERS,
    MAX_SPEC_PARAMETERS,
    PRESETS,
    validate_spec,
)
from mnist_keras.models import build_model_from_spec

values = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(),
                   st.text(max_size=30), st.sampled_from(["same", "valid", "relu", "silu"]))
layers = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(sorted(LAYER_SETTINGS))}, optional={
        key: st.one_of(values, st.integers(0, 5000))
        for key in ("filters", "kernel_size", "strides", "padding", "pool_size", "rate",
                    "units", "activation", "bogus")}),
    st.recursive(values, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "units", "x"]), inner, max_size=3), max_leaves=12))


@settings(max_examples=200, deadline=1000)
@given(st.one_of(st.lists(layers, max_size=12), values))
def test_any_spec_is_checked_or_refused_in_one_short_line(spec):
    try:
        checked = validate_spec(spec)
    except MnistKerasError as error:
        message = str(error)
        assert message.startswith("Expected") and len(message) < 400 and "\n" not in message
        return
    assert [layer["type"] for layer in checked] == [layer["type"] for layer in spec]


@pytest.mark.parametrize("spec", [
    *PRESETS.values(),
    [{"type": "Conv2D", "filters": 8}, {"type": "BatchNorm"}, {"type": "GlobalAveragePooling"},
     {"type": "Dense", "units": 20}, {"type": "BatchNorm"}],
    [{"type": "Dense", "units": 5}, {"type": "Conv2D", "filters": 4, "padding": "same",
                                     "strides": 2}, {"type": "MaxPool"}],
    [{"type": "Conv2D", "filters": 3}],
])
def test_the_parameter_count_is_keras_own(spec, monkeypatch):
    built = build_model_from_spec(spec, 10).count_params()
    monkeypatch.setattr(layer_specs, "MAX_SPEC_PARAMETERS", built)
    validate_spec(spec)  # exactly at the bound: accepted
    monkeypatch.setattr(layer_specs, "MAX_SPEC_PARAMETERS", built - 1)
    with pytest.raises(MnistKerasError, match=f"at most {built - 1:,} parameters"):
        validate_spec(spec)


def test_billions_of_parameters_are_refused_before_anything_is_built():
    # 6.6e9 parameters: would exhaust memory if Keras tried.
    spec = [{"type": "Conv2D", "filters": 1024, "padding": "same"}, {"type": "Flatten"},
            {"type": "Dense", "units": 8192}]
    with pytest.raises(MnistKerasError, match=f"at most {MAX_SPEC_PARAMETERS:,} parameters. "
                                               r"Received: layer 3 \(Dense\)"):
        build_model_from_spec(spec, 10)


def test_too_many_layers_are_refused_at_once():
    with pytest.raises(MnistKerasError, match=f"at most {MAX_SPEC_LAYERS} layers.*10,000"):
        validate_spec([{"type": "Activation"}] * 10_000)


def test_a_type_that_is_a_list_and_a_deep_nesting_give_one_short_line():
    with pytest.raises(MnistKerasError, match="type in") as error:
        validate_spec([{"type": ["Dense"]}])
    deep = []
    for _ in range(100_000):  # deeper than repr() survives
        deep = [deep]
    with pytest.raises(MnistKerasError) as error:
        validate_spec([deep])
    assert len(str(error.value)) < 400
    with pytest.raises(MnistKerasError) as error:
        validate_spec([{"type": "Dense", "units": "9" * 100_000}])
    assert len(str(error.value)) < 400


def test_a_spec_file_nested_too_deep_to_parse_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(MnistKerasError, match="Expected a JSON layer spec"):
        layer_specs.load_spec(path)


def test_a_spec_of_nested_long_values_is_named_in_a_short_line():
    # Regression (found by the fuzz test): reprlib bounded each part of a layer's
    # value but not the sum, and the message reached 400 characters.
    layer = {"type": None, "units": {"type": None, "units": "0000\x1f" * 20},
             "x": {"type": None, "units": 1e16, "x": [None, None, 1e16, 1e16]}}
    with pytest.raises(MnistKerasError) as error:
        validate_spec([layer])
    assert len(str(error.value)) < 400 and "(cut)" in str(error.value)
