"""The projector: a run's test-set map, digits on hover and in a lasso, the drawing as a star.

The map is computed in the background (`dashboard.projector_jobs`); while it
is, the page polls once a second and shows the stage. The star moves with a
`Patch` of the figure's last trace, so a new drawing sends two numbers, not
2,000 points.
"""

import numpy as np
from dash import Input, Output, Patch, State, ctx, html, no_update

from dashboard.panels.projector.figures import STAR_TRACE, projector_figure
from dashboard.panels.projector.jobs import COMPUTING, READY, WAITING, Projector
from dashboard.shared import ids, loaded_models
from dashboard.shared.figures import empty_figure
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri, drawing_input
from dashboard.shared.runs_view import raw_images, run_options
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in

MAX_SELECTED = 60


def star_position(runs_dir, projector, name, method, image):
    """Where the drawing goes on the run's map: `((x, y), message)`; None and why when
    it cannot be placed (no drawing, no map yet, t-SNE)."""
    from mnist_keras.explain import place_features
    from mnist_keras.explain.embedding import features

    if image is None:
        return None, "Draw a digit above to see where it falls among the test digits."
    status = projector.status(name, method, start=False)
    if status.state != READY:
        return None, "The star appears once the map is ready."
    if method == "tsne":
        return None, ("t-SNE cannot place a new point: it only arranges the digits it was "
                      "given. Choose PCA or UMAP to see your drawing as a star.")
    embedding = projector.embedding(name, method, status.projection)
    if embedding is None:
        return None, "Fitting UMAP again to place your drawing (its fitted model is kept " \
                     "in memory only); the star follows in a few seconds."
    loaded = loaded_models.load(runs_dir, name)
    batch = drawing_input(image).reshape(1, 28, 28, 1)
    with loaded.lock:
        activations = features(loaded.model, batch)
        predicted = int(np.argmax(loaded.model.predict_on_batch(batch)))
    x, y = place_features(embedding, activations[0])
    return (x, y), f"The star is your drawing, read as {predicted}: it sits among the " \
                   "digits the model finds most alike."


def selection_tiles(selected, data_dir=None, dataset="mnist"):
    """Tiles of the digits in a lasso (`selectedData`), each once, at most `MAX_SELECTED`."""
    points = (selected or {}).get("points") or []
    seen, rows = set(), []
    for point in points:
        data = point.get("customdata")
        if (not isinstance(data, list) or len(data) < 4
                or not all(isinstance(v, (int, float)) for v in data[:3]) or data[0] in seen):
            continue
        seen.add(data[0])
        rows.append(data)
    if not rows:
        return html.Div("Drag a lasso on the map.", className="hint")
    _, _, test_images, _ = raw_images(data_dir, dataset)
    wrong = sum(1 for row in rows if row[1] != row[2])
    tiles = [html.Figure(className=f"tile {'wrong' if row[1] != row[2] else 'correct'}",
                         children=[html.Img(src=digit_data_uri(test_images[int(row[0])]),
                                            alt=f"test digit {row[0]}"),
                                   html.Figcaption(f"{row[2]}" if row[1] == row[2]
                                                   else f"{row[2]} (is {row[1]})")])
             for row in rows[:MAX_SELECTED] if 0 <= int(row[0]) < len(test_images)]
    note = (f"{len(rows)} digits selected, {wrong} of them mistakes"
            + (f"; the first {MAX_SELECTED} shown." if len(rows) > MAX_SELECTED else "."))
    return [html.Div(note, className="hint"), html.Div(tiles, className="tiles")]


def _data_settings(runs_dir, name):
    try:
        run = run_in(runs_dir, name)
        config, metrics = run.config(), run.metrics()
    except MnistKerasError:
        return None, "mnist"
    return (config.data_dir if config else None), (metrics.dataset if metrics else "mnist")


def register(app, jobs, runs_dir):
    projector = Projector(runs_dir, busy=jobs.running)
    app.projector = projector  # per app, like its JobManager

    @app.callback(
        Output(ids.PROJECTOR_RUN, "options"), Output(ids.PROJECTOR_RUN, "value"),
        Input(ids.RUNS_KEY, "data"), State(ids.PROJECTOR_RUN, "value"),
    )
    def list_runs(_, current):
        # No run is chosen for the user: a map costs seconds to minutes of the
        # cores a training job may need, so it is computed when asked for.
        options = run_options(jobs.index, finished_only=True)
        names = [option["value"] for option in options]
        return options, no_update if current in names or current is None else None

    @app.callback(
        output=dict(figure=Output(ids.PROJECTOR_GRAPH, "figure"),
                    status=Output(ids.PROJECTOR_STATUS, "children"),
                    poll=Output(ids.PROJECTOR_POLL, "disabled"),
                    star=Output(ids.PROJECTOR_STAR, "children")),
        inputs=dict(name=Input(ids.PROJECTOR_RUN, "value"),
                    method=Input(ids.PROJECTOR_METHOD, "value"),
                    _tick=Input(ids.PROJECTOR_POLL, "n_intervals"),
                    image=State(ids.MODEL_INPUT, "data")),
    )
    def show_map(name, method, _tick, image):
        if not name:
            return dict(figure=empty_figure("Choose a model above to map its test "
                                                    "digits."), status="", poll=True, star="")
        try:
            status = projector.status(name, method)
        except MnistKerasError as error:
            return dict(figure=empty_figure(said(error)), status="", poll=True, star="")
        if status.state in (COMPUTING, WAITING):
            polling = ctx.triggered_id == ids.PROJECTOR_POLL
            figure = no_update if polling else empty_figure(
                "Computing the map in the background: the page stays usable.")
            return dict(figure=figure, status=f"Computing the {method.upper()} map: "
                                              f"{status.message}", poll=False, star="")
        if status.state != READY:
            return dict(figure=empty_figure(f"No map: {status.message}"), status="",
                        poll=True, star="")
        names = (jobs.index.get(name).class_names if jobs.index.get(name) else None)
        try:
            star, message = star_position(runs_dir, projector, name, method, image)
        except MnistKerasError as error:
            star, message = None, said(error)
        seconds = status.projection.seconds
        return dict(figure=projector_figure(status.projection, names, star),
                    status="", poll=True,
                    star=[message, html.Span(f" (map computed in {seconds:.1f} s, kept in the "
                                             "run folder)" if seconds else "",
                                             className="hint")])

    @app.callback(
        output=dict(figure=Output(ids.PROJECTOR_GRAPH, "figure", allow_duplicate=True),
                    star=Output(ids.PROJECTOR_STAR, "children", allow_duplicate=True),
                    poll=Output(ids.PROJECTOR_POLL, "disabled", allow_duplicate=True)),
        inputs=dict(image=Input(ids.MODEL_INPUT, "data"),
                    name=State(ids.PROJECTOR_RUN, "value"),
                    method=State(ids.PROJECTOR_METHOD, "value")),
        prevent_initial_call=True,
    )
    def move_star(image, name, method):
        if not name:
            return dict(figure=no_update, star=no_update, poll=no_update)
        try:
            star, message = star_position(runs_dir, projector, name, method, image)
        except MnistKerasError as error:
            return dict(figure=no_update, star=said(error), poll=no_update)
        if projector.status(name, method, start=False).state != READY:
            # Not ready (or UMAP fitting again to place drawings): poll; the map comes
            # back with the star.
            return dict(figure=no_update, star=message, poll=False)
        patch = Patch()
        patch["data"][STAR_TRACE]["x"] = [star[0]] if star else []
        patch["data"][STAR_TRACE]["y"] = [star[1]] if star else []
        return dict(figure=patch, star=message, poll=no_update)

    @app.callback(
        Output(ids.PROJECTOR_HOVER, "children"),
        Input(ids.PROJECTOR_GRAPH, "hoverData"), State(ids.PROJECTOR_RUN, "value"),
        prevent_initial_call=True,
    )
    def show_hovered(hover, name):
        try:
            data = hover["points"][0]["customdata"]
            index, true, predicted = int(data[0]), int(data[1]), int(data[2])
        except (KeyError, IndexError, TypeError, ValueError):
            return no_update
        data_dir, dataset = _data_settings(runs_dir, name)
        _, _, test_images, _ = raw_images(data_dir, dataset)
        if not 0 <= index < len(test_images):
            return no_update
        caption = f"test digit {index}: {true}" + ("" if true == predicted
                                                   else f", read as {predicted}")
        return [html.Img(src=digit_data_uri(test_images[index], scale=4),
                         alt=f"test digit {index}"), html.Div(caption)]

    @app.callback(
        Output(ids.PROJECTOR_SELECTION, "children"),
        Input(ids.PROJECTOR_GRAPH, "selectedData"), State(ids.PROJECTOR_RUN, "value"),
        prevent_initial_call=True,
    )
    def show_selected(selected, name):
        data_dir, dataset = _data_settings(runs_dir, name)
        try:
            return selection_tiles(selected, data_dir, dataset)
        except MnistKerasError as error:
            return html.Div(said(error), className="hint")
