"""From an evaluated model to the `RunMetrics` a run records: one recipe for every writer."""

import numpy as np

from mnist_keras.runs.metrics_file import (
    BestEpoch,
    ClassMetrics,
    Mistake,
    RunMetrics,
    SparsityReport,
)


def run_metrics(evaluation, model, class_names, dataset, test_indices=None,
                train_seconds=None, epochs_done=0, parent_run=None, sparsity=None,
                best_epoch=None, stopped_early=None, replicas=None):
    """The `RunMetrics` of a model evaluated with `mnist_keras.evaluate`.

    Args:
        evaluation: an `Evaluation`.
        model: the evaluated `keras.Model` (its parameters are counted).
        class_names: one name per class.
        dataset: the dataset's name.
        test_indices: positions of the evaluated images in the full test
            set; mistakes are recorded by them, so a viewer can find them.
        train_seconds: time spent fitting, or None (an upload).
        epochs_done: epochs trained.
        parent_run: the run this one was pruned or fine-tuned from.
        sparsity: a `sparsity_report` dict of a pruned model.
        best_epoch: a `BestEpoch`, or None.
        stopped_early: `"early_stopping"`, `"pruned"` or None.
        replicas: devices trained on data-parallel, or None.

    Returns:
        A `RunMetrics`.
    """
    from mnist_keras.explain.calibration import calibration_from_probabilities
    from mnist_keras.pruning import count_nonzero_params

    positions = evaluation.misclassified
    indices = positions if test_indices is None else np.asarray(test_indices)[positions]
    mistakes = tuple(
        Mistake(index=int(index), label=int(evaluation.labels[pos]),
                predicted=int(evaluation.predictions[pos]),
                confidence=float(evaluation.probabilities[pos].max()))
        for index, pos in zip(indices, positions))
    return RunMetrics(
        test_accuracy=float(evaluation.accuracy),
        test_loss=float(evaluation.loss),
        num_params=int(model.count_params()),
        nonzero_params=count_nonzero_params(model),
        class_names=tuple(str(name) for name in class_names),
        confusion_matrix=tuple(tuple(int(c) for c in row)
                               for row in np.asarray(evaluation.confusion_matrix)),
        per_class=tuple(ClassMetrics(**row) for row in evaluation.per_class),
        misclassified=mistakes,
        dataset=dataset,
        train_seconds=None if train_seconds is None else float(train_seconds),
        epochs_done=int(epochs_done),
        parent_run=parent_run,
        sparsity=None if sparsity is None else SparsityReport.from_dict(sparsity),
        best_epoch=best_epoch if best_epoch is None or isinstance(best_epoch, BestEpoch)
        else BestEpoch.from_dict(best_epoch),
        stopped_early=stopped_early,
        replicas=None if replicas is None else int(replicas),
        calibration=calibration_from_probabilities(evaluation.probabilities,
                                                   evaluation.labels),
    )
