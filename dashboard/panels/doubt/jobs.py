"""Finding a run's doubtful labels in the background: one child process per ranking.

Ranking trains a few small models (seconds for 2,000 images, minutes for
60,000), so it never runs in a callback, nor in the dashboard's own process
(the dashboard never trains there, and TensorFlow is not fork-safe): a child
started with the spawn method calls `mnist_keras.doubt.doubt_run` and writes
the run's `label-review.json`, keeping the decisions already in it. It tells
its progress through a queue that the page's poll reads; its own output goes
to the run's `doubt.log`. One ranking runs at a time (two would share the
cores), and none while a training job runs.

The decisions a person makes are written to the same file from callbacks,
which Flask answers on several threads: every read-change-write of a review
holds this object's lock.
"""

import dataclasses
import multiprocessing
import os
import threading

from mnist_keras.datasets.label_review import REVIEW_FILE, read_label_review
from mnist_keras.errors import expected
from mnist_keras.runs import run_in

IDLE, COMPUTING, DONE, FAILED = "idle", "computing", "done", "failed"
LOG_FILE = "doubt.log"


def _rank_in_child(run_dir, folds, messages):
    """Entry point of the child process: rank the run's training images, write the review."""
    log = os.open(os.path.join(run_dir, LOG_FILE), os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                  0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        from mnist_keras.doubt import DoubtSettings, doubt_run

        doubts = doubt_run(run_dir, DoubtSettings(folds=folds),
                           progress=lambda fraction, text: messages.put((COMPUTING, fraction,
                                                                         text)))
        messages.put((COMPUTING, 1.0, "Writing the review."))
        doubts.save_review(os.path.join(run_dir, REVIEW_FILE))
        messages.put((DONE, 1.0, f"{doubts.flagged:,} of {len(doubts.images):,} images "
                                 f"flagged as likely label errors (out-of-fold accuracy "
                                 f"{doubts.accuracy:.1%}, {doubts.seconds:.0f} s)."))
    except Exception as error:  # the page says why; the traceback stays in doubt.log
        import traceback

        traceback.print_exc()
        messages.put((FAILED, 0.0, str(error).splitlines()[0][:300] if str(error)
                      else type(error).__name__))


@dataclasses.dataclass(frozen=True)
class RankingStatus:
    """Where a run's ranking stands: `state` is idle, computing, done or failed."""

    state: str = IDLE
    fraction: float = 0.0
    message: str = ""


class DoubtJobs:
    """Starts and follows rankings under one runs folder (one per dashboard).

    Args:
        runs_dir: the runs folder.
        busy: a callable returning the name of a run that is training, or None.
    """

    def __init__(self, runs_dir, busy=lambda: None):
        self.runs_dir = os.fspath(runs_dir)
        self._busy = busy
        self._context = multiprocessing.get_context("spawn")
        # Held by every change of this object's state and every review write.
        self.lock = threading.RLock()
        self._process = None
        self._messages = None
        self._name = None
        self._latest = {}  # run name -> RankingStatus

    def start(self, name, folds):
        """Starts ranking run `name`'s training images with `folds` folds.

        Raises:
            MnistKerasError: for a bad run name or folds, an imported model's
                run, a ranking already running, or a training job running.
        """
        from mnist_keras.doubt import DoubtSettings

        DoubtSettings(folds=folds)  # refused here, not in the child
        run = run_in(self.runs_dir, name)
        config = run.config()
        if config is None or config.training is None:
            raise expected("a run trained here (an imported model names no training images)",
                           run=name)
        with self.lock:
            self._collect()
            if self._process is not None:
                raise expected("one ranking at a time (wait for it to finish)",
                               ranking=self._name)
            training = self._busy()
            if training:
                raise expected("no training job running (a ranking would slow it down)",
                               training=training)
            self._messages = self._context.SimpleQueue()
            self._process = self._context.Process(
                target=_rank_in_child, args=(run.path, int(folds), self._messages),
                name=f"doubt-{name}", daemon=True)
            self._name = name
            self._latest[name] = RankingStatus(COMPUTING, 0.0, "Starting (loading TensorFlow).")
            self._process.start()

    def _collect(self):
        # Reads what the child said; notices a child that died without a word.
        if self._process is None:
            return
        while not self._messages.empty():
            state, fraction, text = self._messages.get()
            self._latest[self._name] = RankingStatus(state, fraction, text)
        if self._latest[self._name].state in (DONE, FAILED):
            self._process.join(timeout=5)
            self._process = self._messages = None
        elif not self._process.is_alive():
            self._latest[self._name] = RankingStatus(
                FAILED, 0.0, f"The ranking stopped unexpectedly (exit code "
                             f"{self._process.exitcode}); see {LOG_FILE} in the run folder.")
            self._process = self._messages = None

    def status(self, name):
        """The `RankingStatus` of run `name` (idle when this dashboard never ranked it)."""
        with self.lock:
            self._collect()
            return self._latest.get(name, RankingStatus())

    def computing(self):
        """The name of the run being ranked, or None."""
        with self.lock:
            self._collect()
            return self._name if self._process is not None else None

    def review(self, name):
        """Run `name`'s `LabelReview`, or None before its first ranking.

        Raises:
            MnistKerasError: for a bad run name or a damaged review.
        """
        path = run_in(self.runs_dir, name).file(REVIEW_FILE)
        return read_label_review(path) if os.path.isfile(path) else None

    def shutdown(self):
        """Stops a ranking still running (the dashboard is closing)."""
        with self.lock:
            if self._process is not None and self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=5)
            self._process = self._messages = None
