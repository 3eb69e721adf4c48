"""Guided experiments: each a preset of settings and a short text of what to watch.

A lesson opens from its link (`/?lesson=overfitting`), which a teacher can
send: the training form takes the lesson's settings and the panel shows what
to look for, and what to change for the second run that makes the point.
"""

import dataclasses

from mnist_keras.recipes import recipe_config


@dataclasses.dataclass(frozen=True)
class Lesson:
    """One guided experiment.

    Attributes:
        key: the name in the lesson's link.
        title: what it teaches, in a few words.
        summary: the question it answers, in a sentence (the lesson list).
        recipe: the recipe its settings start from.
        settings: `TrainingConfig` settings that replace the recipe's.
        watch: what to look at while and after it trains.
        then: the change to make for a second run, to compare with the first.
    """

    key: str
    title: str
    summary: str
    recipe: str
    settings: dict
    watch: str
    then: str

    def config(self):
        """The lesson's `TrainingConfig`."""
        return recipe_config(self.recipe, **self.settings)

    @property
    def link(self):
        return f"?lesson={self.key}"


LESSONS = (
    Lesson(
        key="overfitting",
        title="Overfitting: few images, no dropout",
        summary="What does a network do when it can memorise its training images?",
        recipe="quick",
        # No augmentation or label smoothing either: both hide memorising.
        settings=dict(train_size=1_000, validation_split=0.2, dropout=0.0, epochs=30,
                      augment=False, label_smoothing=0.0),
        watch="In Training progress, per epoch: the training accuracy climbs towards 100% "
              "while the validation accuracy stalls around 90% and the validation loss "
              "turns upwards after about ten epochs. The network is memorising its 800 "
              "images instead of learning digits.",
        then="Set Dropout to 0.5, or Training images to 10,000, press Train again and "
             "compare the two runs in Manage and compare runs: the gap between the "
             "training and validation curves shrinks.",
    ),
    Lesson(
        key="learning-rate",
        title="A learning rate too high",
        summary="Why does a bigger step not mean faster learning?",
        recipe="quick",
        settings=dict(learning_rate=0.5, schedule="constant", epochs=5),
        watch="Per batch, the loss jumps up instead of falling and the accuracy stays "
              "near 10%, the score of guessing: each update is so large that it "
              "overshoots the weights it was aiming for.",
        then="Move the learning rate back to 1e-3 and train again: the loss falls within "
             "the first hundred batches. Try 1e-4 too: it learns, but slowly.",
    ),
    Lesson(
        key="prune-or-small",
        title="Start big and prune, or start small?",
        summary="Is a pruned big network better than a small one trained from scratch?",
        recipe="quick",
        settings=dict(model="cnn", train_size=10_000, epochs=5),
        watch="This trains the 225,930-parameter reference CNN on 10,000 images. Note its "
              "test accuracy and, in Inside the model, where its parameters sit: most of "
              "them in the first Dense layer.",
        then="Tick the finished run, prune it to 80% (Prune & fine-tune) and note the "
             "non-zero parameters and accuracy; then choose cnn-compact (44,174 "
             "parameters) as the architecture and train it with the same settings. "
             "Compare the three runs: which small model is better?",
    ),
    Lesson(
        key="augmentation",
        title="What augmentation buys on drawn digits",
        summary="Does training on distorted digits help with digits people draw?",
        recipe="quick",
        settings=dict(augment=True, epochs=10),
        watch="The quick recipe already augments: each epoch the network sees its "
              "digits slightly rotated, slanted, with thicker or thinner strokes, and half "
              "of them redrawn black-and-white like a drawing. In Training progress, the "
              "validation accuracy wobbles in the middle epochs, while the learning rate "
              "is high, and climbs as the rate falls.",
        then="Untick Augmentation and train again. On so few images the augmented run "
             "usually wins on the MNIST test images too. Then select both runs in Draw a "
             "digit and draw slanted, thick or faint digits: the augmented model is "
             "right more often on the drawings that look least like MNIST.",
    ),
    Lesson(
        key="batch-size",
        title="Small batches or large ones",
        summary="How does the number of images per update change training?",
        recipe="quick",
        settings=dict(batch_size=16, epochs=5),
        watch="With 16 images per update, the per-batch loss is noisy and each epoch "
              "takes longer (more updates), but the network improves fast per epoch.",
        then="Set Batch size to 512 and train again: smooth curves, quick epochs, but "
             "fewer updates, so after 5 epochs it is behind. Compare the runs' curves.",
    ),
)

_BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def lesson(key):
    """The lesson named `key`, or None."""
    return _BY_KEY.get(key) if isinstance(key, str) else None
