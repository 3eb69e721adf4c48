"""The Sweeps panel's layout: start a sweep, follow its trials, see which settings matter."""

import os

from dash import dash_table, dcc, html

from dashboard.panels.sweeps.views import RUNS_FOLDER, SPACE_COLUMNS, space_rows
from dashboard.shared import ids
from dashboard.shared.components import GRAPH_CONFIG, button, field, panel
from dashboard.shared.figures import empty_figure
from dashboard.shared.training_form import DEFAULT_RECIPE
from mnist_keras.recipes import recipe_config
from mnist_keras.registries import PRUNERS
from mnist_keras.sweeps import default_space
from mnist_keras.sweeps.space import CHOICE_SETTINGS

DEFAULT_TRIALS, MAX_TRIALS = 8, 200
# Workers share this machine's cores: one each at most, and one by default
# (two processes on two cores each train at about half speed).
MAX_WORKERS = os.cpu_count() or 1
POLL_MILLISECONDS = 2_000
TRIAL_COLUMNS = (("trial", "trial"), ("state", "state"), ("value", "val. accuracy (best)"),
                 ("best_epoch", "best epoch"), ("final_val_accuracy", "val. accuracy (last)"),
                 ("test_accuracy", "test accuracy"), ("epochs_done", "epochs"),
                 ("seconds", "seconds"), ("run", "run"), ("note", "note"))


def _number(id_, value):
    # No min/max in the browser: the range check on the server names the range.
    return dcc.Input(id=id_, type="number", value=value, step=1, debounce=True,
                     className="number")


def space_table():
    """The search space, one editable row per setting, filled with the default space."""
    rows = space_rows(default_space(recipe_config(DEFAULT_RECIPE)))
    return dash_table.DataTable(
        id=ids.SWEEP_SPACE, data=rows, editable=True, row_deletable=True,
        columns=[{"name": column, "id": column, "editable": True,
                  **({"presentation": "dropdown"} if column in ("setting", "scale") else {}),
                  **({"type": "numeric"} if column in ("low", "high") else {})}
                 for column in SPACE_COLUMNS],
        dropdown={"setting": {"options": [{"label": s, "value": s} for s in CHOICE_SETTINGS]},
                  "scale": {"options": [{"label": s, "value": s} for s in ("linear", "log")]}},
        tooltip_header={
            "setting": "A training setting the sweep varies",
            "low": "Smallest value to try (a range)",
            "high": "Largest value to try (a range)",
            "scale": "log: draw evenly on a log scale (for rates); linear: evenly",
            "choices": "Values to pick from, separated by commas (instead of a range)"},
        style_table={"overflowX": "auto"}, style_cell={"fontSize": "13px", "minWidth": "70px"},
        css=[{"selector": ".Select-menu-outer", "rule": "display: block !important"}])


def sweeps_panel():
    """Start a sweep (an Optuna study) and follow its trials, figures and runs."""
    graph_config = GRAPH_CONFIG
    waiting = "Choose or start a study to see its trials."
    return panel("sweeps", "Sweeps", className="panel wide sweeps", children=[
        html.Div("A sweep trains many runs with different settings and learns which work "
                 "best: Optuna proposes each trial's settings from the ones before, and "
                 "stops weak trials early (pruning). Each trial is a run in the runs "
                 "folder.", className="hint"),
        dcc.Interval(id=ids.SWEEP_POLL, interval=POLL_MILLISECONDS),
        dcc.Store(id=ids.SWEEP_KEY),
        html.Div(className="field-row", children=[
            field("Storage", dcc.Dropdown(id=ids.SWEEP_STORAGE, value=RUNS_FOLDER,
                                           clearable=False, options=[]),
                   "Where studies are kept. A sweep started from a terminal (mnist-keras "
                   "sweep) on the same storage shows up here too."),
            field("Study", dcc.Dropdown(id=ids.SWEEP_STUDY, options=[], clearable=False,
                                         placeholder="no study yet"),
                   "The study whose trials are shown below."),
        ]),
        html.Details(className="advanced", open=True, children=[
            html.Summary("Start a sweep"),
            html.Div("Every setting not in the table comes from the Train panel (its "
                     "validation split too: trials are compared on validation accuracy, "
                     "never on the test set).", className="hint"),
            space_table(),
            button("Add setting", ids.SWEEP_ADD_SETTING, small=True,
                   title="Add a row for another setting to vary"),
            html.Div(id=ids.SWEEP_SPACE_MESSAGE, className="spec-message"),
            html.Div(className="field-row", children=[
                field("Study name", dcc.Input(
                    id=ids.SWEEP_NAME, value="sweep", debounce=False, className="number",
                    maxLength=36),
                    "A new name starts a study; an existing one continues it. Letters, "
                    "digits, '.', '_', '-'."),
                field("Trials", _number(ids.SWEEP_TRIALS, DEFAULT_TRIALS),
                       "finished trials the study should reach"),
                field("Workers", _number(ids.SWEEP_WORKERS, 1),
                       f"trials trained at once on this machine (at most {MAX_WORKERS}, one "
                       "per core)"),
                field("Pruner", dcc.Dropdown(
                    id=ids.SWEEP_PRUNER, value="median", clearable=False,
                    options=[{"label": name, "value": name, "title": PRUNERS.describe(name)}
                             for name in PRUNERS]),
                    "how weak trials are stopped early"),
            ]),
            html.Div(className="field-row buttons", children=[
                button("Start sweep", ids.SWEEP_START, kind="primary",
                       title="Train the trials in the background, one job at a time"),
                button("Stop sweep", ids.SWEEP_STOP, disabled=True,
                       title="Stop every worker after its current batch; the trials' runs "
                             "are kept"),
            ]),
            html.Div(id=ids.SWEEP_MESSAGE, className="job-message", role="status"),
        ]),
        html.Div(id=ids.SWEEP_PROGRESS, className="progress-text", children=waiting),
        html.Div(className="field-row actions", children=[
            button("Download the table (CSV)", ids.SWEEP_CSV, small=True,
                   title="Every trial with its settings and metrics, for a spreadsheet"),
            dcc.Download(id=ids.SWEEP_CSV_FILE),
        ]),
        html.Div("Tick trials to open their runs in Runs and results, Compare and Draw a "
                 "digit. The value is the trial's best epoch's validation accuracy.",
                 className="hint"),
        dash_table.DataTable(
            id=ids.SWEEP_TABLE, data=[], row_selectable="multi", selected_rows=[],
            columns=[{"name": name, "id": key} for key, name in TRIAL_COLUMNS],
            sort_action="native", style_table={"overflowX": "auto"},
            style_cell={"fontSize": "13px", "textAlign": "left"},
            style_data_conditional=[
                {"if": {"filter_query": "{state} = pruned"}, "color": "#92400e"},
                {"if": {"filter_query": "{state} = failed"}, "color": "#b91c1c"}]),
        html.Div(id=ids.SWEEP_OPEN_MESSAGE, className="job-message", role="status"),
        # Scrolls sideways where the window is narrower than its axes need.
        html.Div(className="wide-figure", children=dcc.Graph(
            id=ids.SWEEP_PARALLEL, config=graph_config, figure=empty_figure(waiting))),
        html.Div("Each line is a completed trial, from orange (the lowest accuracy) to blue "
                 "(the highest): follow the blue lines to see which values of each setting go "
                 "with good accuracy. On a narrow screen the figure scrolls sideways.",
                 className="hint"),
        dcc.Graph(id=ids.SWEEP_IMPORTANCE, config=graph_config,
                  figure=empty_figure(waiting)),
        html.Div("How much of the differences in accuracy each setting explains (fANOVA): "
                 "tune the long bars first; a short bar's setting hardly matters here.",
                 className="hint"),
        dcc.Graph(id=ids.SWEEP_HISTORY, config=graph_config, figure=empty_figure(waiting)),
        html.Div("Each trial's accuracy in the order they ran, and the best so far: a line "
                 "that stopped rising says more trials will not help much.", className="hint"),
    ])
