"""What a callback that fails answers: no change, one line on the page, the details in the terminal.

Every callback checks what it expects and answers a wrong value with a
message (a `MnistKerasError` turned into text) or with no change. A request
the page would never send (text where a slider's number belongs, a dict for
a table's rows: anything can POST to `/_dash-update-component` from this
machine) can still reach code that assumed the page's types; rather than an
HTTP 500 and a page that silently stops updating, Dash's `on_error` hook
answers "no change", shows one line at the top of the page, and logs the
traceback, so a real bug is seen, not swallowed.
"""

import logging

from dash import ctx, set_props

from dashboard.shared import ids

logger = logging.getLogger("mnist_keras.dashboard")


def first_line(error):
    """`TypeError: ...` cut to one line of at most 200 characters.

    >>> first_line(TypeError("can only concatenate str (not \\"list\\") to str\\nmore"))
    'TypeError: can only concatenate str (not "list") to str'
    """
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


def on_callback_error(error):
    """Dash's `on_error` for every callback: logs, shows a notice, changes nothing else.

    Returns:
        None, which Dash turns into no update for every output.
    """
    try:
        outputs = ctx.outputs_list or []
        outputs = [outputs] if isinstance(outputs, dict) else outputs
        where = ", ".join(f"{item['id']}.{item['property'].split('@')[0]}" for item in outputs
                          if isinstance(item, dict))[:200] or "a callback"
    except Exception:  # noqa: BLE001 - the notice must not fail in turn
        where = "a callback"
    logger.error("A callback failed (%s): %s", where, first_line(error), exc_info=error)
    set_props(ids.CALLBACK_ERROR, {
        "children": f"Something did not work ({first_line(error)}); nothing was changed. "
                    "The terminal running the dashboard has the details.",
        "hidden": False})
    return None
