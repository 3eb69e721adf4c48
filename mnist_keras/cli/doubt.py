"""`mnist-keras doubt`: the training images whose labels are most likely wrong.

    mnist-keras doubt runs/first --top 20
    mnist-keras doubt images --data-dir my-digits/ --folds 3 --json

Ranks a run's training images (or a dataset's) by confident learning on
out-of-fold probabilities (`mnist_keras.doubt`), prints the most doubtful and
writes a label review (`label-review.json`: in the run folder, beside the
dataset's folder, or at `--review`), keeping decisions already made in it.
Set an image's `decision` there to keep, relabel (with `label`) or exclude,
then train again with `--label-review FILE`.
"""

import os
import sys

from mnist_keras.cli.parsing import print_json
from mnist_keras.errors import expected
from mnist_keras.registries import DATASETS

MAX_TOP = 10_000


def register(subparsers):
    parser = subparsers.add_parser(
        "doubt", help="rank training images by how likely their label is wrong (confident "
                      "learning) and write a label review")
    parser.add_argument("source", metavar="RUN_OR_DATASET",
                        help="a run folder (the images it trained on), or a dataset name: "
                             f"{', '.join(DATASETS)}")
    parser.add_argument("--data-dir", help="the dataset's folder (not with a run folder)")
    parser.add_argument("--train-size", type=int,
                        help="rank a stratified subset of this many training images "
                             "(default: all; not with a run folder)")
    parser.add_argument("--seed", type=int,
                        help="the subset's seed (default 0; not with a run folder)")
    parser.add_argument("--top", type=int, default=20,
                        help=f"how many of the most doubtful to list, 1-{MAX_TOP:,} "
                             "(default 20)")
    parser.add_argument("--folds", type=int, default=5,
                        help="folds, one small model each, 2-10 (default 5)")
    parser.add_argument("--epochs", type=int, default=8,
                        help="epochs of each fold's model, 1-50 (default 8)")
    parser.add_argument("--review", metavar="FILE",
                        help="where to write the label review (default: the run folder's "
                             "label-review.json, or beside the dataset's folder)")
    parser.add_argument("--json", action="store_true",
                        help="print the ranking's top as JSON")
    parser.set_defaults(handler=run, needs_keras=True)


def _is_run_folder(path):
    return os.path.isdir(path) and any(
        os.path.isfile(os.path.join(path, name)) for name in ("config.json", "status.json"))


def _check(args):
    if not 1 <= args.top <= MAX_TOP:
        raise expected(f"--top from 1 to {MAX_TOP:,}", top=args.top)
    if _is_run_folder(args.source):
        given = [option for option, value in (("--data-dir", args.data_dir),
                                              ("--train-size", args.train_size),
                                              ("--seed", args.seed)) if value is not None]
        if given:
            raise expected("no data options with a run folder (the run's own data is "
                           "ranked)", options=given)
        return "run"
    if args.source in DATASETS:
        return "dataset"
    raise expected(f"a run folder or a dataset name in {DATASETS.names()}",
                   source=args.source)


def _check_existing_review(path):
    from mnist_keras.datasets.label_review import read_label_review

    if path is not None and os.path.exists(path):
        read_label_review(path)


def _report_progress(fraction, text):
    # On stderr, so --json output stays clean.
    print(f"  {100 * fraction:3.0f}%  {text}", file=sys.stderr, flush=True)


def run(args):
    from mnist_keras.datasets.label_review import REVIEW_FILE, review_path_for
    from mnist_keras.doubt import DoubtSettings, doubt_dataset, doubt_run

    kind = _check(args)
    settings = DoubtSettings(folds=args.folds, epochs=args.epochs)
    # A review that could not be updated is refused before minutes of training.
    _check_existing_review(args.review or (os.path.join(args.source, REVIEW_FILE)
                                           if kind == "run" else review_path_for(args.data_dir)))
    progress = None if args.json else _report_progress
    if kind == "run":
        doubts = doubt_run(args.source, settings, progress=progress)
    else:
        doubts = doubt_dataset(args.source, args.data_dir, args.train_size,
                               0 if args.seed is None else args.seed, settings,
                               progress=progress)
    path = args.review or doubts.review_path
    saved = doubts.save_review(path) if path else None
    if args.json:
        print_json({**doubts.to_dict(top=args.top), "review": saved})
        return
    names = doubts.class_names
    image_width = max([5] + [len(image.file or str(image.index)) for image in
                             doubts.top(args.top)])
    print(f"rank  {'image':<{image_width}}  given  suggested  quality  flagged")
    for rank, image in enumerate(doubts.top(args.top), 1):
        shown = image.file or str(image.index)
        print(f"{rank:>4}  {shown:<{image_width}}  {names[image.given]:<5}  "
              f"{names[image.suggested]:<9}  {image.label_quality:7.4f}  "
              f"{'yes' if image.flagged else 'no'}")
    print(f"{doubts.flagged:,} of {len(doubts.images):,} images flagged as likely label "
          f"errors (out-of-fold accuracy {doubts.accuracy:.1%}, {settings.folds} folds, "
          f"{doubts.seconds:.1f} s).")
    if saved:
        print(f"Review written to {saved}: set an image's \"decision\" to keep, relabel "
              f"(with \"label\") or exclude, then train again with --label-review {saved}")
    else:
        print("No review written (the bundled dataset and read-only runs are not written "
              "to): give --review FILE to keep one.")
