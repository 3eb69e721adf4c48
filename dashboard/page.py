"""The page: the navigation bar, then every panel in order; and the page's own callbacks.

The page is Bootstrap's (dash-bootstrap-components for tooltips and the theme
switch; Bootstrap's own CSS, bundled, for type, buttons and colours), so its
light and dark themes follow Bootstrap's colour modes. Every setting's label
and every panel's title carries a help text (`help_texts`) shown on hover or
keyboard focus. The panels themselves live in `dashboard.panels`.
"""

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, dcc, html

from dashboard.panels import PANELS, train
from dashboard.shared import help_texts, ids
from dashboard.shared.components import help_tip

# The sections the navigation links to, in the page's order.
SECTIONS = tuple((panel.KEY, panel.TITLE) for panel in PANELS)


def navigation():
    """The top bar: the name, links to each panel, and the light/dark switch."""
    # Not sticky: a bar over the page would cover whatever scrolls to the top
    # (a control a keyboard or a script focuses); the links are one Home key away.
    return html.Header(className="app-header navbar", children=[
        html.A("mnist-keras", href="#", className="navbar-brand"),
        html.Nav(className="section-links", **{"aria-label": "panels"}, children=[
            html.A(title, href=f"#section-{key}", className="nav-link")
            for key, title in SECTIONS]),
        html.Div(className="theme-control", id="theme-control", children=[
            dbc.Switch(id=ids.THEME_SWITCH, label="Dark", value=None,
                       className="theme-switch"),
        ]),
        help_tip("theme-control", help_texts.SETTINGS[ids.THEME_SWITCH]),
    ])


def page(device):
    """The whole page: stores every panel reads, the navigation, the panels."""
    return html.Div(className="page", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.THEME_APPLIED),
        dcc.Store(id=ids.LESSON),
        dcc.Store(id=ids.CANCELLING),
        navigation(),
        html.Div(id=ids.CALLBACK_ERROR, className="callback-error", role="alert", hidden=True),
        dcc.Interval(id=ids.POLL, interval=500),
        dcc.Store(id=ids.LIVE_STATE, data={}),
        dcc.Store(id=ids.RESULTS_KEY),
        dcc.Store(id=ids.RUNS_KEY),
        dcc.Store(id=ids.DATASETS_KEY, data=0),
        html.Div(className="columns", children=[
            train.section(device),
            html.Div(className="main", children=[panel.section() for panel in PANELS
                                                 if panel is not train]),
        ]),
    ])


def register(app):
    """The page's own callback, in the browser (`assets/theme.js`): the light/dark switch."""
    # The switch shows the theme in use on first render; a flip applies and is remembered.
    app.clientside_callback(ClientsideFunction("page", "theme"),
                            Output(ids.THEME_SWITCH, "value"), Input(ids.THEME_SWITCH, "value"))
