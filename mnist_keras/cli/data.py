"""`mnist-keras data`: personal datasets: list them, import samples, export them.

    mnist-keras data list --runs-dir runs
    mnist-keras data import mnist-keras-samples.json --runs-dir runs [--name my-hand]
    mnist-keras data export my-hand --runs-dir runs --out my-hand.json
"""

from mnist_keras.cli.parsing import Parser, print_json


def register(subparsers):
    parser = subparsers.add_parser(
        "data", help="personal datasets: list, import a samples file, export one",
        description="A personal dataset is a person's labelled digits, kept in the runs "
                    "folder (RUNS_DIR/datasets/NAME): an image folder by class plus each "
                    "drawing's strokes. The dashboard and the exported page collect them.")
    actions = parser.add_subparsers(dest="action", required=True, parser_class=Parser)
    listing = actions.add_parser("list", help="the runs folder's personal datasets and their "
                                              "counts")
    listing.add_argument("--runs-dir", default="runs")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_datasets)
    importing = actions.add_parser(
        "import", help="add a samples file (as the exported page downloads it) to a dataset")
    importing.add_argument("file", help="a samples file (mnist-keras-samples JSON)")
    importing.add_argument("--runs-dir", default="runs")
    importing.add_argument("--name", help="the dataset to add to (default: the file's own "
                                          "name, or my-handwriting); created if new")
    importing.add_argument("--json", action="store_true")
    importing.set_defaults(handler=import_file)
    exporting = actions.add_parser("export", help="write a dataset as a samples file")
    exporting.add_argument("name", help="the personal dataset")
    exporting.add_argument("--runs-dir", default="runs")
    exporting.add_argument("--out", required=True, help="the samples file to write (.json)")
    exporting.set_defaults(handler=export_file)


def _counts_line(counts):
    return " ".join(f"{digit}:{count}" for digit, count in counts.items())


def list_datasets(args):
    from mnist_keras.personal import PersonalDataset, personal_datasets

    found = {name: PersonalDataset.open(args.runs_dir, name).counts()
             for name in personal_datasets(args.runs_dir)}
    if args.json:
        print_json({name: {str(d): n for d, n in counts.items()}
                    for name, counts in found.items()})
        return
    if not found:
        print(f"no personal dataset in {args.runs_dir}")
    for name, counts in found.items():
        print(f"{name}: {sum(counts.values())} samples ({_counts_line(counts)})")


def import_file(args):
    from mnist_keras.personal import import_samples

    dataset, added, skipped = import_samples(args.file, args.runs_dir, name=args.name)
    counts = dataset.counts()
    if args.json:
        print_json({"dataset": dataset.name, "path": dataset.path, "added": added,
                    "skipped": skipped, "counts": {str(d): n for d, n in counts.items()}})
        return
    print(f"added {added} samples to {dataset.name} ({skipped} skipped: not digits); now "
          f"{sum(counts.values())} ({_counts_line(counts)}) in {dataset.path}")


def export_file(args):
    import json

    from mnist_keras.atomic import atomic_path
    from mnist_keras.errors import expected
    from mnist_keras.personal import PersonalDataset

    dataset = PersonalDataset.open(args.runs_dir, args.name)
    if not args.out.endswith(".json"):
        raise expected("an output file ending in .json", out=args.out)
    try:
        with atomic_path(args.out) as tmp, open(tmp, "w", encoding="utf-8") as file:
            json.dump(dataset.samples_file(), file)
    except OSError as error:
        raise expected("an output file in a folder you may write to", out=args.out,
                       reason=error.strerror or str(error)) from None
    print(f"wrote {len(dataset.samples())} samples of {dataset.name} to {args.out}")
