"""Plain-words help for every setting and panel, shown on hover or keyboard focus.

Each text says what the setting does, a good range, and what happens when it
is too high or too low, for students meeting it for the first time. Training
settings are keyed by their name (`TRAINING`: adding a setting adds its text
here), other controls by their component id (`SETTINGS`, which also holds
every training control's text by its id) and panels by their key (`PANELS`);
a test checks that every control the page shows has one.
"""

from dashboard.shared import ids
from dashboard.shared.training_form import CONTROLS

# Training settings, by their name in `mnist_keras.settings`: each control of
# the training form shows its setting's text (`training_form.CONTROLS`).
TRAINING = {
    "model": "The network's architecture. cnn, the reference convolutional network, "
             "is a good start; mlp has no convolutions, so it sees pixels, not strokes, "
             "and tops out lower; custom lets you stack layers yourself.",
    "dataset": "What the model learns from: the bundled MNIST digits, Fashion-MNIST or "
               "KMNIST (their four IDX files in a folder), any IDX set, or a folder of "
               "your own images with one sub-folder per class.",
    "data_dir": "The folder that holds the data on this computer: the four IDX files, "
                "or one sub-folder of images per class (optionally inside train/ and "
                "test/). It is checked as you type.",
    "train_size": "How many training images to learn from. More images: better "
                  "accuracy but longer epochs. 5,000 trains in seconds; all 60,000 "
                  "gives the best model. Very few (1,000) makes overfitting easy to see.",
    "test_size": "How many unseen images the finished model is scored on. 1,000 gives "
                 "an accuracy to about ±1 point; 10,000 (the whole test set) to about "
                 "±0.2 points.",
    "batch_size": "How many images the network looks at before each weight update. "
                  "32-256 works well. Small batches give noisy but frequent updates; "
                  "large ones give fewer, smoother steps and may need a higher learning "
                  "rate. Allowed: 1-512.",
    "epochs": "How many times training goes through all the training images. More "
              "epochs keep improving the training accuracy, but past a point the "
              "validation accuracy stops rising (overfitting). 2-20 is typical.",
    "seed": "The random seed: the same seed gives the same subsets, starting weights "
            "and shuffling, so a run can be repeated exactly. Change it to see how "
            "much results vary by chance.",
    "learning_rate": "How big each weight update is (the slider is logarithmic: each "
                     "mark is 10x the last). For Adam, 1e-3 to 3e-3 is good. Too high "
                     "(0.1 and up) and the loss jumps around or explodes; too low "
                     "(1e-4) and learning crawls.",
    "optimizer": "The rule that turns gradients into weight updates. Adam is the "
                 "reliable default; SGD with momentum can match it with a well-tuned "
                 "learning rate and schedule.",
    "schedule": "How the learning rate changes during training. one-cycle warms up, "
                "then decays, which suits short runs; constant keeps it fixed; cosine "
                "decays smoothly to 1% of the start.",
    "dropout": "The share of units switched off at random during training, so the "
               "network cannot rely on any single one. 0.25-0.5 fights overfitting; 0 "
               "turns it off; above 0.7 the network struggles to learn. Empty: the "
               "model's own rate.",
    "augment": "Show the network slightly rotated, shifted, zoomed (and, under More "
               "settings, slanted or restroked) copies of each image while training. "
               "Helps with drawn and real handwriting; costs a little MNIST accuracy "
               "and time.",
    "validation_split": "The share of training images held back to check the model "
                        "after each epoch (the dotted validation curves). 0.1 is "
                        "usual; 0 trains on everything but shows no validation curve.",
    "label_smoothing": "Asks the network to be 90% sure instead of 100% (at 0.1), which "
                       "often generalises better. 0-0.2 is sensible; large values make "
                       "every prediction timid.",
    "early_stopping_patience": "Stop when the validation loss has not improved for this many "
                               "epochs, and keep the best weights. 3-5 is common. Needs a "
                               "validation split. Empty: off.",
    "reduce_lr_patience": "Halve the learning rate when the validation loss has not improved "
                          "for this many epochs (only with the constant schedule). 2-4 is "
                          "common. Empty: off.",
    "rotation": "Largest random rotation, in degrees. 5-15 mimics how people tilt "
                "digits; above 30 a 6 starts to look like a 9.",
    "zoom": "Largest random zoom in or out, as a fraction (0.1 = ±10%).",
    "translation": "Largest random shift, as a fraction of the image (0.1 = ±2.8 px).",
    "shear": "Largest random slant (0.3 leans strokes about 17 degrees), for writers "
             "who write in italics.",
    "stretch": "Largest random change of width against height (0.2 = ±20%).",
    "elastic": "Elastic distortion, in pixels: wobbles strokes the way hands do. 1-2 "
               "helps; above 3 digits become hard to read.",
    "stroke_width": "Chance that an image's strokes are made thinner or thicker, so "
                    "the model copes with any pen.",
    "blur": "Chance of a slight blur, as in a photo slightly out of focus.",
    "contrast": "How much fainter the ink may get (a pencil instead of a marker).",
    "binarize": "Share of images redrawn as pure black-and-white strokes, the way "
                "drawings are prepared for the model.",
    "gradient_clip_norm": "Caps how big one step can be: when the gradients' combined "
                          "size is above this, they are scaled down to it. 1-5 steadies "
                          "training at high learning rates or with SGD; it rarely changes "
                          "what Adam learns. Empty: off.",
    "deterministic": "Makes every operation give the same result each time (TensorFlow's "
                     "op determinism), so the same settings on the same machine and "
                     "software train exactly the same weights: a run you can reproduce "
                     "and resume to the bit. It costs some speed.",
    "tensorboard": "Writes each epoch's losses, accuracies, learning rate and weight "
                   "histograms, the settings with the test metrics (HParams) and the "
                   "first 1,000 test images' features (projector) into the run folder: "
                   "`tensorboard --logdir` on the runs folder shows every run.",
    "mlflow": "The address of an MLflow tracking server (e.g. http://127.0.0.1:5000, "
              "started with `mlflow server`). Each run is logged there: its settings as "
              "parameters, every epoch's metrics, the test metrics, the model and its "
              "report. Empty: no logging. An unreachable server stops the logging, never "
              "the training.",
}

SETTINGS = {
    **{control.id: TRAINING[control.setting] for control in CONTROLS},
    ids.RECIPE: "A recipe fills in every setting below with a combination that was "
                "measured to work (quick: a first run in about half a minute; fast: 99% "
                "on MNIST in about a minute of training on all 60,000 images). You can "
                "still change any value afterwards.",
    ids.PRUNE_SPARSITY: "The share of the weights set to exactly zero: the smallest ones "
                        "go first. Up to 80-90% usually costs little accuracy after "
                        "fine-tuning; above 95% the model starts to forget.",
    ids.PRUNE_EPOCHS: "How long the pruned model keeps training so the remaining weights "
                      "take over the work of the removed ones. Empty: enough epochs for "
                      "900 steps, which recovers most of the accuracy.",
    ids.EXPORT_QUANTIZE: "Where the model goes: a TF.js page that reads drawings in any "
                         "browser (float32 weights exactly, float16 at half the size, uint8 "
                         "at a quarter); ONNX for onnxruntime; LiteRT for phones and boards "
                         "(int8: integers only, a quarter of the size); a SavedModel for "
                         "TensorFlow Serving. Each is checked against Keras on all 10,000 "
                         "test digits before it is written.",
    ids.TEST_COUNT: "How many random test digits to show, 1-100.",
    ids.RUN_TAGS: "Words to find the ticked run by, separated by commas (up to 20, each up "
                  "to 40 characters). Saved in the run folder (notes.json); the table's "
                  "tags column filters by them.",
    ids.RUN_NOTE: "What this run tried or showed, up to 2,000 characters. Saved in the run "
                  "folder with its tags.",
    ids.PREDICT_RUNS: "The finished runs whose models predict your drawing, up to three "
                      "side by side: draw once and compare how each one answers.",
    ids.INSPECT_RUN: "The model whose insides are shown below: its layers, what each "
                     "layer does with your drawing, and its learned weights.",
    ids.WEIGHT_LAYER: "The layer whose learned weights are drawn. First-layer kernels "
                      "often look like little stroke and edge detectors.",
    ids.ENSEMBLE_TTA: "Also average each model over the digit moved one pixel up, down, "
                      "left and right: a little more accurate, five times the work.",
    ids.SAVE_TO: "The personal dataset your answers go into: your own digits, kept in the "
                 "runs folder as images by digit with their strokes. Make more on the Your "
                 "hand panel (one per hand, or per pen).",
    ids.WRITE_MODE: "The panel asks for a digit, the one your dataset has fewest of: draw "
                    "it, press Keep, and the next is asked. Ten of each in a few minutes.",
    ids.HAND_DATASET: "Which of your personal datasets to look at and teach from.",
    ids.HAND_NEW_NAME: "A name for a new personal dataset: letters, digits, '.', '_' or '-' "
                       "(for another hand, another pen, or another person).",
    ids.HAND_RELABEL_TO: "The digit the clicked sample really is: a wrong label teaches the "
                         "model the wrong thing, so fix it or delete the sample.",
    ids.HAND_BASE: "The model to teach your hand: the pretrained one, or any finished run. "
                   "It is copied; the original stays as it was.",
    ids.THEME_SWITCH: "Dark or light colours. The page starts with your system's setting.",
    ids.SWEEP_STORAGE: "The database that keeps the studies: the runs folder's own file, or "
                       "a server that workers on several machines share.",
    ids.SWEEP_STUDY: "A study is one search: its trials, the settings each tried and how "
                     "well each did. Pick one to see it below.",
    ids.SWEEP_NAME: "A new name starts a new study; the name of an existing study adds trials "
                    "to it, keeping what it learned.",
    ids.SWEEP_TRIALS: "How many finished trials the study should have. Optuna learns from "
                      "each one: 10-30 trials usually find good settings; more rarely help.",
    ids.SWEEP_WORKERS: "Trials trained at the same time on this computer, one per core at "
                       "most. On two cores one worker is about as fast as two.",
    ids.SWEEP_PRUNER: "How weak trials are stopped early, after an epoch that is clearly worse "
                      "than earlier trials at the same epoch: median is a safe choice; none "
                      "trains every trial to the end.",
    ids.WHY_METHOD: "How the answer is traced back to your pixels. Grad-CAM shows where the "
                    "last convolution layer looked (blurry, conv models only); integrated "
                    "gradients and SmoothGrad score each inked pixel (sharper, any model).",
    ids.WHY_ATTACK: "How the smallest change that fools the model is searched for. FGSM "
                    "takes one step against the answer; PGD takes ten smaller steps and "
                    "usually finds a smaller change (a lower epsilon).",
    ids.CELL_METHOD: "How a test digit you click is explained: which pixels made the model "
                     "give its wrong answer, and which spoke for the true one.",
    ids.COMPARE_CELL_RUN: "The ticked run whose confusion matrix is shown below: click a "
                          "cell to see the test digits it mixed up.",
    ids.PROJECTOR_RUN: "The model whose view of the test set is drawn. Its map is computed "
                       "the first time (seconds for PCA, up to a minute for t-SNE or UMAP, "
                       "in the background) and kept in the run's folder.",
    ids.PROJECTOR_METHOD: "How 128 or so numbers per digit are flattened to two. PCA keeps "
                          "the biggest directions (exact, places your drawing exactly); "
                          "t-SNE and UMAP keep neighbours together (clear groups, but "
                          "distances between groups mean little). t-SNE cannot place your "
                          "drawing.",
    ids.DOUBT_RUN: "The finished run whose training images are checked: the images it "
                   "learned from, drawn again with its dataset, size and seed.",
    ids.DOUBT_FOLDS: "How many small models judge the labels: each learns from all but one "
                     "share of the images and judges that share, so no image is judged by a "
                     "model that learned its label. 5 is usual; 3 is faster but each model "
                     "learns from fewer images; above 5 costs more time for little gain.",
    ids.DOUBT_SHOWN: "How many of the most doubtful images to show, 1-100. The count of "
                     "flagged images says how far down mistakes are likely.",
    ids.DOUBT_DECISION: "Keep the label as it is, relabel the image (to the digit chosen "
                        "beside it) or exclude it from training. Each choice is saved in "
                        "the run's label-review.json at once.",
}

PANELS = {
    "train": "Choose a recipe or set each setting, then press Train. Hover over or tab to "
             "a setting's name to see what it does.",
    "progress": "The run you picked, live: the loss (how wrong the network is) should "
                "fall and the accuracy rise. If training accuracy keeps rising while "
                "validation accuracy falls, the model is overfitting.",
    "results": "How the finished model does on test images it never saw: which digits "
               "it confuses (rows: the truth, columns: its answer) and its most "
               "confident mistakes.",
    "runs": "Every run in the runs folder. Tick runs to rename, delete, download, export, "
            "prune or compare them.",
    "draw": "Draw a digit with the mouse or a finger: the models answer half a second "
            "after your last stroke. See what the network actually receives: your "
            "drawing cropped, scaled to 20 px and centred in 28x28, as in MNIST.",
    "inside": "What the network computes: its layers as blocks (click one to see it), "
              "the activations your drawing causes, the feature maps of each conv "
              "layer and the weights it learned.",
    "lessons": "Guided experiments: each one loads its settings and tells you what to "
               "watch. A teacher can share a lesson's link.",
    "data": "Random training images with their labels: what the model learns from.",
    "handwriting": "Your own digits, kept each time you answer a prediction (Right, or the "
                   "digit it was). Check them here, then teach a model your hand: it learns "
                   "from most of them, is measured on the rest, and still reads MNIST.",
    "sweeps": "A sweep trains many runs with different settings and shows which settings "
              "matter: Optuna picks each trial's settings from how the earlier ones did.",
    "projector": "The test set as the model sees it: each dot a test digit, placed by the "
                 "model's last hidden layer, so digits it finds alike sit together. Your "
                 "drawing is the star; mistakes sit where classes meet.",
    "doubt": "Training images whose label is probably wrong: small models that never saw "
             "an image's label judge it, and confident learning ranks the images the "
             "models disagree with most. Keep, relabel or exclude each one, then train "
             "again without the excluded and compare the two runs.",
}


def setting_help(component_id):
    """The help text of a control, or None."""
    return SETTINGS.get(component_id)
