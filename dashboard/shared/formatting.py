"""Numbers in words for the page: durations and counted things."""


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
