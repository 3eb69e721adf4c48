"""The page's building blocks: labelled fields with help, panels, buttons, code blocks.

Every panel of the dashboard is made of these, so each setting's label shows
its help text (`help_texts`) on hover and keyboard focus, and each panel's
title its own, the same way everywhere.
"""

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.shared import help_texts

# Plotly's toolbar appears on hover only, away from the titles (left).
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": "hover", "responsive": True}


def help_tip(target, text):
    """A tooltip on `target` (an element id): on hover, and on keyboard focus."""
    return dbc.Tooltip(text, target=target, placement="top", trigger="hover focus",
                       className="help-tip")


def field(label, control, hint=None, help_id=None):
    """A labelled control; its label shows the control's help text on hover or focus.

    `help_id` names the help text (`help_texts.SETTINGS`); it defaults to the
    control's own id.
    """
    help_id = help_id or getattr(control, "id", None)
    text = help_texts.setting_help(help_id) if isinstance(help_id, str) else None
    label_children = [label]
    extra = []
    if text:
        label_id = f"label-{help_id}"
        label_children.append(html.Span("?", className="help-badge", **{"aria-hidden": "true"}))
        extra.append(help_tip(label_id, text))
        label = html.Label(label_children, id=label_id, className="field-label has-help",
                           tabIndex=0, htmlFor=help_id, **{"aria-description": text})
    else:
        label = html.Label(label_children, className="field-label")
    children = [label, control, *extra]
    if hint:
        children.append(html.Div(hint, className="hint"))
    return html.Div(children, className="field")


def number(id_, value, low, high, step=1, placeholder=None):
    # No min/max on the input itself: a browser empties an out-of-range number
    # field, and "600" would reach the server as "empty". The settings' own
    # check then says what the range is ("Expected batch_size as an integer in
    # [1, 512]. Received: batch_size=600").
    return dcc.Input(id=id_, type="number", value=value, step=step,
                     placeholder=placeholder if placeholder else f"{low:g}-{high:g}",
                     debounce=True, className="number")


def panel(key, title, children, className="panel wide"):
    """A panel (a card) with a title whose help text shows on hover or focus."""
    heading_id = f"heading-{key}"
    return html.Section(id=f"section-{key}", className=f"{className} card", children=[
        html.H2([title, html.Span("?", className="help-badge", **{"aria-hidden": "true"})],
                id=heading_id, tabIndex=0, className="panel-title has-help"),
        help_tip(heading_id, help_texts.PANELS[key]),
        *children,
    ])


def button(label, id_, kind="secondary", small=False, **props):
    """A Bootstrap button: `primary`, `secondary` (outlined) or `danger` (outlined)."""
    style = {"primary": "btn-primary", "secondary": "btn-outline-secondary",
             "danger": "btn-outline-danger"}[kind]
    size = " btn-sm" if small else ""
    return html.Button(label, id=id_, n_clicks=0, className=f"btn {style}{size}", **props)


def code_block(title, id_):
    """A titled block of code with a copy button."""
    return html.Div(className="code-block", children=[
        html.Div(className="code-title", children=[
            html.Span(f"Copy as {title.lower()}"),
            dcc.Clipboard(target_id=id_, title=f"copy the {title.lower()} lines",
                          className="copy-button"),
        ]),
        html.Pre(id=id_, className="code"),
    ])


def registry_options(registry):
    """Dropdown options for a registry's names, each with its description on hover."""
    return [{"label": name, "value": name, "title": registry.describe(name)}
            for name in registry]


def registry_dropdown(id_, registry, value):
    """A dropdown of a registry's names."""
    return dcc.Dropdown(id=id_, value=value, clearable=False, options=registry_options(registry))


def hint(text):
    """A line of plain-words guidance under a control or a heading."""
    return html.Div(text, className="hint")
