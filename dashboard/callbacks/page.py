"""The page itself: the light/dark switch, the address bar, scrolling to a layer.

These run in the browser (`assets/theme.js`): they touch only the page.
"""

from dash import ClientsideFunction, Input, Output

from dashboard import ids


def register(app, jobs, runs_dir):
    # The switch shows the theme in use on first render; a flip applies and is remembered.
    app.clientside_callback(ClientsideFunction("page", "theme"),
                            Output(ids.THEME_SWITCH, "value"), Input(ids.THEME_SWITCH, "value"))
    # The settings' query goes into the address (no reload, no history entry).
    app.clientside_callback(ClientsideFunction("page", "address"),
                            Output(ids.SHARE_LINK, "value"), Input(ids.SHARE_QUERY, "data"))
    app.clientside_callback(ClientsideFunction("page", "scrollToLayer"),
                            Output(ids.THEME_APPLIED, "data"), Input(ids.FOCUSED_LAYER, "data"),
                            prevent_initial_call=True)
