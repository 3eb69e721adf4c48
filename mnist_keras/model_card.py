"""A run's model card: what the model is, how it was made and measured, and where it fails.

    mnist-keras export runs/first --format onnx --out exports/onnx   # exports/onnx/README.md

Written from the run's own files (`config.json`, `metrics.json`,
`status.json`, `personalization.json` when it has one), as Markdown with
the YAML front matter a model hub reads (Hugging Face's model-card
metadata: `library_name`, `tags`, `datasets`, `metrics`, `model-index`), so
an export folder can be uploaded as it is. Every export folder carries it as
`README.md`, and the run's HTML report includes it.

```python
card = model_card("runs/first")
print(card.splitlines()[0])    # ---
```
"""

import os

from mnist_keras.errors import expected
from mnist_keras.reproduce import command_line
from mnist_keras.runs import Run

CARD_FILE = "README.md"
# Above this expected calibration error the card warns that confidences
# should not be read as probabilities.
ECE_WARNING = 0.05
# The measured figures of the shipped model's family on writers outside MNIST
# (benchmarks/other_writers.py); repeated in every card because every model
# trained on MNIST alone shares the limit.
OTHER_WRITERS_LIMIT = (
    "Trained on MNIST alone, it reads digits best when they look like MNIST's: American census "
    "workers' and students' handwriting, centred and scaled as MNIST's. Measured for the "
    "shipped model and the default recipe (`benchmarks/other_writers.py`): pen-stroke digits "
    "of 60 other drawn writers 98.8% and 97.9%, the lowest writer 91.0% and 89.0%; a 1 written "
    "with a long flag (the continental form) is read as 7 about half the time; scans of 43 "
    "other writers (UCI) 86.2% and 85.8%. `mnist-keras personalize` teaches a model one "
    "person's hand from a few samples per digit.")
DATASET_NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST", "kmnist": "Kuzushiji-MNIST",
                 "idx": "an IDX dataset", "images": "a folder of images by class"}


def _yaml_string(text):
    # Double-quoted YAML: backslashes and quotes escaped, no newlines.
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _front_matter(name, metrics, dataset):
    lines = ["---", "library_name: keras", "pipeline_tag: image-classification",
             "tags:", "  - image-classification", "  - keras", "  - mnist-keras"]
    if dataset in ("mnist", "fashion-mnist", "kmnist"):
        lines += ["datasets:", f"  - {'ylecun/mnist' if dataset == 'mnist' else dataset}"]
    lines += ["metrics:", "  - accuracy"]
    if metrics is not None:
        dataset_name = _yaml_string(DATASET_NAMES.get(dataset, dataset))
        lines += ["model-index:", f"  - name: {_yaml_string(name)}", "    results:",
                  "      - task:", "          type: image-classification",
                  "        dataset:", f"          name: {dataset_name}",
                  f"          type: {_yaml_string(dataset)}", "          split: test",
                  "        metrics:", "          - type: accuracy",
                  f"            value: {metrics.test_accuracy:.4f}"]
    return lines + ["---", ""]


def _per_class_table(metrics):
    rows = ["| class | precision | recall | F1 | test images |", "|---|---|---|---|---|"]
    for row in metrics.per_class:
        rows.append(f"| {metrics.class_names[row.label]} | {row.precision:.4f} | "
                    f"{row.recall:.4f} | {row.f1:.4f} | {row.support:,} |")
    return rows


def _most_confused(metrics, count=3):
    names, matrix = metrics.class_names, metrics.confusion_matrix
    pairs = sorted(((matrix[true][pred], true, pred) for true in range(len(matrix))
                    for pred in range(len(matrix)) if true != pred and matrix[true][pred]),
                   reverse=True)[:count]
    return [f"{names[true]} read as {names[pred]} ({n})" for n, true, pred in pairs]


def _training_lines(config, metrics):
    if config is not None and config.origin == "code":
        code = config.code_model
        settings = ", ".join(f"{key} {value}" for key, value in (config.recorded or {}).items())
        return [f"- Architecture: `{code.name}` ({code.class_name}, {code.params:,} "
                "parameters), trained by its own code's `model.fit` and recorded there.",
                f"- Settings recorded: {settings or 'none'}."]
    if config is None or config.training is None:
        source = config.source_file if config is not None else None
        return [f"Imported from `{source}`: it was trained elsewhere, and this card knows only "
                "how it was evaluated here." if source else "How it was trained is not recorded."]
    training = config.training
    code = config.code_model
    architecture = (f"`{code.name}` ({code.class_name}, built in Python code: its settings "
                    f"cannot rebuild it)" if code else f"`{training.model}`")
    lines = [f"- Architecture: {architecture}; dataset: "
             f"{DATASET_NAMES.get(training.dataset, training.dataset)}, "
             f"{training.train_size:,} training images (validation split "
             f"{training.validation_split:g}), seed {training.seed}.",
             f"- {training.epochs} epochs of {training.optimizer}, batch {training.batch_size}, "
             f"learning rate {training.learning_rate:g} ({training.schedule}); augmentation "
             f"{'on' if training.augment else 'off'}; label smoothing "
             f"{training.label_smoothing:g}."]
    if training.parent_run:
        lines.append(f"- Derived from the run `{training.parent_run}`"
                     + (f", pruned to {training.sparsity:.0%} sparsity" if training.sparsity
                        else "") + ".")
    if training.label_review:
        lines.append("- Trained with a label review applied (doubtful labels excluded or "
                     "relabelled).")
    if metrics is not None and metrics.train_seconds:
        lines.append(f"- Training took {metrics.train_seconds:,.0f} s.")
    if code is None:
        lines += ["", "Train it again with:", "", "```bash",
                  command_line(training, run_dir=f"runs/{_safe_name(config)}-again"), "```"]
    return lines


def _safe_name(config):
    return "model" if config is None else (config.training.model if config.training else "model")


def _results_lines(metrics):
    if metrics is None:
        return ["Not evaluated: the run did not finish."]
    lines = [f"**{metrics.test_accuracy:.2%}** accuracy on {metrics.test_size or 0:,} "
             f"{DATASET_NAMES.get(metrics.dataset, metrics.dataset)} test images (loss "
             f"{metrics.test_loss:.4f}); {metrics.num_params:,} parameters"
             + (f", {metrics.nonzero_params:,} of them non-zero" if metrics.sparsity else "")
             + ".", ""]
    lines += _per_class_table(metrics)
    confused = _most_confused(metrics)
    if confused:
        lines += ["", "Most confused: " + "; ".join(confused) + "."]
    calibration = metrics.calibration
    if calibration is not None:
        lines += ["", f"Calibration: expected calibration error {calibration.ece:.3f} over "
                      f"{calibration.bins} bins"
                  + f"; {calibration.describe()}."
                  + (" Its confidences are not probabilities: compare them with each other, "
                     "not with a threshold chosen elsewhere." if calibration.ece > ECE_WARNING
                     else "")]
    return lines


def model_card(run_dir):
    """The model card of a run, as Markdown with model-hub front matter.

    Args:
        run_dir: the run folder.

    Returns:
        The card's text.

    Raises:
        MnistKerasError: for a folder that holds no run.
    """
    run = Run(run_dir)
    if not os.path.isdir(run.path) or not run.is_run():
        raise expected("a run folder (one holding config.json)", run_dir=run.path)
    config, metrics = run.config(), run.metrics()
    dataset = metrics.dataset if metrics is not None else (
        config.training.dataset if config is not None and config.training else "mnist")
    lines = _front_matter(run.name, metrics, dataset)
    lines += [f"# {run.name}", "",
              "A handwritten-digit classifier made with mnist-keras: it takes a 28x28 "
              "grayscale image (white ink on black, values 0 to 1, centred as MNIST's; "
              "`mnist_keras.preprocessing.preprocess_drawing` makes one from a drawing or a "
              "photo) and gives the probability of each of its classes.", "",
              "## Intended use", "",
              "Learning, teaching and demonstrating digit recognition; reading single "
              "handwritten digits drawn on a pad or cut out of a form.", "",
              "Not for: several digits at once, letters or other symbols (it always answers "
              "one of its classes: check its confidence), decisions about people, or any "
              "use where a misread digit costs more than a second look.", "",
              "## Training", "", *_training_lines(config, metrics), "",
              "## Results", "", *_results_lines(metrics), ""]
    personalization = run.personalization()
    if personalization is not None:
        lines += ["## Taught a person's hand", "",
                  f"Fine-tuned from `{personalization.base_run or personalization.base}` on "
                  f"{len(personalization.trained_on)} samples of "
                  f"`{personalization.dataset or personalization.data}`: held-out samples "
                  f"{_percent(personalization.before.held_out)} before, "
                  f"{_percent(personalization.after.held_out)} after; MNIST "
                  f"{_percent(personalization.before.mnist)} before, "
                  f"{_percent(personalization.after.mnist)} after.", ""]
    if dataset == "mnist":
        lines += ["## Known limits", "", OTHER_WRITERS_LIMIT, ""]
    return "\n".join(lines)


def _percent(value):
    return "not measured" if value is None else f"{value:.2%}"


def write_model_card(run_dir, folder):
    """Writes the run's model card into `folder` as `README.md`; returns its path."""
    path = os.path.join(os.fspath(folder), CARD_FILE)
    with open(path, "w", encoding="utf-8") as file:
        file.write(model_card(run_dir))
    return path
