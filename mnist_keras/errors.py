"""Errors raised by mnist_keras for user mistakes.

Every message follows one form, so the CLI can print it as one readable line:
what was expected, then what was received ("expected X. Received: name=value").
"""


class MnistKerasError(ValueError):
    """A user mistake: bad settings, a missing or corrupt file, an empty drawing."""


def expected(what, **received):
    """Builds the house-style error message.

    Args:
        what: what was expected, e.g. `"an integer in [1, 512]"`.
        **received: the offending value(s), by name.

    Returns:
        A `MnistKerasError` whose message reads
        `"Expected {what}. Received: name=value"`.

    Example:

    >>> str(expected("a batch size in [1, 512]", batch_size=0))
    'Expected a batch size in [1, 512]. Received: batch_size=0'
    """
    parts = ", ".join(f"{name}={_shown(value)}" for name, value in received.items())
    return MnistKerasError(f"Expected {what}. Received: {parts}")


# What a message shows of a value it received: enough to recognise it, never
# a whole file or request echoed back.
MAX_SHOWN_CHARS = 200


def _shown(value):
    try:
        text = repr(value)
    except RecursionError:
        return f"<a deeply nested {type(value).__name__}>"
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "...(cut)"
