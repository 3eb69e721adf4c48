"""Doubtful labels: rank a run's training images, decide per image, train again.

The ranking runs in a child process (`jobs.DoubtJobs`); while it does, the
page polls once a second and shows its progress. The tiles come from the
run's `label-review.json`, each decision is written there as it is made, and
"Train again" starts an ordinary training job with the run's settings plus
`label_review`, named after the run it came from (`parent_run`), so the Runs
panel compares the two like any others.
"""

import atexit
import dataclasses
import os

from dash import ALL, MATCH, Input, Output, State, ctx, dcc, html, no_update

from dashboard.panels.doubt.jobs import COMPUTING, DONE, FAILED, DoubtJobs
from dashboard.panels.doubt.layout import MAX_SHOWN
from dashboard.shared import ids
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.runs_view import raw_dataset, run_options
from mnist_keras.datasets.label_review import (
    DECISIONS,
    EXCLUDE,
    RELABEL,
    REVIEW_FILE,
    read_label_review,
)
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import run_in

NOT_RANKED = "Not ranked yet: press Find doubtful labels."


def trained_run_options(index):
    """Picker options of the finished runs that were trained here (an upload names no data)."""
    trained = {summary.name for summary in index.refresh()
               if summary.config is not None and summary.config.training is not None}
    return [option for option in run_options(index, finished_only=True)
            if option["value"] in trained]


def summary_text(review):
    """`3 excluded, 1 relabelled, 2 kept, 42 undecided; 17 flagged ...` for a review."""
    counts = review.counts()
    flagged = sum(image.flagged for image in review.images)
    return (f"{counts['exclude']} excluded, {counts['relabel']} relabelled, "
            f"{counts['keep']} kept, {counts['undecided']} undecided of the "
            f"{len(review.images):,} most doubtful; confident learning flags {flagged:,} "
            "of them as likely label errors.")


def status_text(review):
    """What the ranking on file says: how many images, how accurate, how long."""
    if review is None:
        return NOT_RANKED
    return (f"Ranked with {review.folds} folds: out-of-fold accuracy "
            f"{(review.accuracy or 0):.1%}, {review.seconds or 0:.0f} s.")


def review_tiles(review, train_images, shown):
    """Tiles of the `shown` most doubtful images: the digit, its given and suggested
    labels, and its decision (keep, relabel to a label, exclude).

    Raises:
        MnistKerasError: when the dataset no longer matches the review.
    """
    if review.train_images != len(train_images):
        raise expected("the dataset the review was made on (find doubtful labels again)",
                       images_then=review.train_images, images_now=len(train_images))
    return [_tile(image, review.class_names, train_images[image.index])
            for image in review.images[:shown]]


def _tile(image, names, pixels):
    caption = [html.Span(f"given {names[image.given]}", className="given")]
    if image.suggested != image.given:
        caption.append(html.Span(f" → {names[image.suggested]}", className="suggested"))
    what = image.file or f"training image {image.index}"
    return html.Figure(id={"type": ids.DOUBT_TILE, "index": image.index},
                       className=tile_class(image.decision), children=[
        html.Img(src=digit_data_uri(pixels), alt=what,
                 title=f"{what}: label quality {image.label_quality:.3f}"
                       + (", flagged" if image.flagged else "")),
        html.Figcaption(caption),
        dcc.RadioItems(id={"type": ids.DOUBT_DECISION, "index": image.index},
                       options=[{"label": decision, "value": decision}
                                for decision in DECISIONS],
                       value=image.decision, className="doubt-decision"),
        dcc.Dropdown(id={"type": ids.DOUBT_RELABEL_TO, "index": image.index},
                     options=[{"label": name, "value": number}
                              for number, name in enumerate(names)],
                     value=image.label if image.decision == RELABEL else image.suggested,
                     clearable=False, searchable=False, className="doubt-relabel"),
    ])


def tile_class(decision):
    """A tile's classes: its decision shows (an excluded digit fades)."""
    return f"tile doubt-tile {decision or 'undecided'}"


def retrain_config(run, review_path):
    """The settings that train `run` again with its review: its own, plus `label_review`.

    The new run names `run` as its parent (a pruning run keeps its parent
    model's run as its parent; the review's path still says where it came from).

    Raises:
        MnistKerasError: for an imported model's run, or a review that changes
            nothing (no image excluded or relabelled).
    """
    config = run.config()
    if config is None or not config.from_settings:
        raise expected("a run trained here from settings (a model from Python code is "
                       "trained again by that code)", run=run.name)
    review = read_label_review(review_path)
    counts = review.counts()
    if not counts[EXCLUDE] and not counts[RELABEL]:
        raise expected("at least one image excluded or relabelled (otherwise the data is "
                       "the same)", excluded=0, relabelled=0)
    training = config.training
    parent = training.parent_run if training.parent_model else run.name
    return dataclasses.replace(training, label_review=os.path.abspath(review_path),
                               parent_run=parent)


def _decision_at(trigger, values_list):
    # The value of the control whose pattern id is `trigger`, from an ALL list.
    for item in values_list:
        if item["id"] == trigger:
            return item.get("value")
    return None


def register(app, jobs, runs_dir):
    doubt_jobs = DoubtJobs(runs_dir, busy=jobs.running)
    app.doubt_jobs = doubt_jobs  # per app, like its JobManager
    atexit.register(doubt_jobs.shutdown)

    @app.callback(
        Output(ids.DOUBT_RUN, "options"), Output(ids.DOUBT_RUN, "value"),
        Input(ids.RUNS_KEY, "data"), State(ids.DOUBT_RUN, "value"),
    )
    def list_runs(_, current):
        # No run is chosen for the user: ranking costs the cores a training may need.
        options = trained_run_options(jobs.index)
        names = [option["value"] for option in options]
        return options, no_update if current in names or current is None else None

    @app.callback(
        output=dict(bar=Output(ids.DOUBT_PROGRESS_BAR, "style"),
                    status=Output(ids.DOUBT_STATUS, "children"),
                    poll=Output(ids.DOUBT_POLL, "disabled"),
                    key=Output(ids.DOUBT_KEY, "data"),
                    message=Output(ids.DOUBT_MESSAGE, "children")),
        inputs=dict(_start=Input(ids.DOUBT_START, "n_clicks"),
                    _tick=Input(ids.DOUBT_POLL, "n_intervals"),
                    name=Input(ids.DOUBT_RUN, "value"),
                    folds=State(ids.DOUBT_FOLDS, "value"),
                    key=State(ids.DOUBT_KEY, "data")),
    )
    def track(_start, _tick, name, folds, key):
        message = no_update
        if ctx.triggered_id == ids.DOUBT_START:
            if not name:
                message = "Choose a run first."
            else:
                try:
                    doubt_jobs.start(name, folds)
                    message = (f"Ranking {name}'s training images in the background: "
                               f"{folds} small models, one per fold.")
                except MnistKerasError as error:
                    message = f"Not started: {said(error)}"
        idle = dict(bar={"width": "0%"}, poll=True, key=no_update, message=message)
        if not name:
            return dict(idle, status="")
        status = doubt_jobs.status(name)
        if status.state == COMPUTING:
            return dict(bar={"width": f"{100 * status.fraction:.0f}%"}, status=status.message,
                        poll=False, key=no_update, message=message)
        if status.state == FAILED:
            return dict(idle, status=f"The ranking failed: {status.message}")
        if status.state == DONE and ctx.triggered_id == ids.DOUBT_POLL:
            # Just finished: the tiles are drawn again from the new review.
            return dict(bar={"width": "100%"}, status=status.message, poll=True,
                        key=(key or 0) + 1, message=message)
        try:
            review = doubt_jobs.review(name)
        except MnistKerasError as error:
            return dict(idle, status=said(error))
        return dict(idle, bar={"width": "100%" if review else "0%"},
                    status=status.message if status.state == DONE else status_text(review))

    @app.callback(
        Output(ids.DOUBT_TILES, "children"), Output(ids.DOUBT_SUMMARY, "children"),
        Input(ids.DOUBT_RUN, "value"), Input(ids.DOUBT_KEY, "data"),
        Input(ids.DOUBT_SHOWN, "value"),
    )
    def show(name, _key, shown):
        if not name:
            return [], "Choose a finished run above."
        if not isinstance(shown, int) or not 1 <= shown <= MAX_SHOWN:
            return no_update, f"Images shown: a whole number from 1 to {MAX_SHOWN}."
        try:
            review = doubt_jobs.review(name)
            if review is None:
                return [], NOT_RANKED
            config = run_in(runs_dir, name).config()
            train_images = raw_dataset(config.data_dir, config.dataset)[0]
            return review_tiles(review, train_images, shown), summary_text(review)
        except MnistKerasError as error:
            return [], said(error)

    @app.callback(
        Output(ids.DOUBT_SUMMARY, "children", allow_duplicate=True),
        Input({"type": ids.DOUBT_DECISION, "index": ALL}, "value"),
        Input({"type": ids.DOUBT_RELABEL_TO, "index": ALL}, "value"),
        State(ids.DOUBT_RUN, "value"),
        prevent_initial_call=True,
    )
    def decide(_decisions, _labels, name):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not name:
            return no_update
        index = trigger.get("index")
        decision = _decision_at({"type": ids.DOUBT_DECISION, "index": index},
                                ctx.inputs_list[0])
        label = _decision_at({"type": ids.DOUBT_RELABEL_TO, "index": index},
                             ctx.inputs_list[1])
        if trigger.get("type") == ids.DOUBT_RELABEL_TO and decision != RELABEL:
            return no_update  # the label waits until "relabel" is chosen
        try:
            with doubt_jobs.lock:
                review = doubt_jobs.review(name)
                if review is None:
                    return NOT_RANKED
                review = review.decide(index, decision,
                                       label if decision == RELABEL else None)
                review.save(run_in(runs_dir, name).file(REVIEW_FILE))
        except MnistKerasError as error:
            return f"Not saved: {said(error)}"
        return summary_text(review)

    @app.callback(
        Output({"type": ids.DOUBT_TILE, "index": MATCH}, "className"),
        Input({"type": ids.DOUBT_DECISION, "index": MATCH}, "value"),
        prevent_initial_call=True,
    )
    def mark(decision):
        return tile_class(decision if decision in DECISIONS else None)

    @app.callback(
        Output(ids.DOUBT_MESSAGE, "children", allow_duplicate=True),
        Input(ids.DOUBT_RETRAIN, "n_clicks"), State(ids.DOUBT_RUN, "value"),
        prevent_initial_call=True,
    )
    def train_again(_, name):
        if not name:
            return "Choose a run first."
        try:
            run = run_in(runs_dir, name)
            if doubt_jobs.computing() == name:
                return "Wait for the ranking to finish."
            config = retrain_config(run, run.file(REVIEW_FILE))
            stem = os.path.splitext(os.path.basename(config.model))[0]
            new_name = jobs.start(config, name_stem=f"{stem}-reviewed")
        except MnistKerasError as error:
            return f"Not started: {said(error)}"
        return (f"Training {new_name}: {name}'s settings without the excluded images and with "
                "the relabelled ones. Follow it under Training progress; compare the two in "
                "the Runs panel.")
