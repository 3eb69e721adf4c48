"""Words for the page: durations, counted things, and errors as sentences."""

import re

# The library's errors read "Expected X. Received: name=value" (Keras' form,
# kept by the command line); the page says the same as a sentence.
_LIBRARY_FORM = re.compile(r"Expected (?P<needed>.+?)\. Received: (?P<got>.+)", re.DOTALL)


def duration(seconds):
    """`"1 min 05 s"`, `"42 s"`, or empty for no duration (an upload)."""
    if seconds is None:
        return ""
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def plural(count, word):
    """`1 epoch`, `3 epochs`.

    >>> plural(1, "epoch"), plural(2, "epoch")
    ('1 epoch', '2 epochs')
    """
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def said(error):
    """An error as the page tells it: a sentence, not "Expected X. Received: Y".

    >>> said(ValueError("Expected a batch size in [1, 512]. Received: batch_size=0"))
    'Needs a batch size in [1, 512]; got batch_size=0.'
    >>> said(ValueError("The folder is full."))
    'The folder is full.'
    """
    text = str(error).strip()
    match = _LIBRARY_FORM.fullmatch(text)
    if not match:
        return text
    needed, got = match["needed"], match["got"].rstrip(". ")
    return f"Needs {needed}; got {got}."
