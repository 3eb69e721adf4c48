"""Component ids, as constants so layout and callbacks cannot drift apart."""

# Training panel
MODEL = "model"
LAYER_TABLE = "layer-table"
LAYER_TABLE_BOX = "layer-table-box"
ADD_LAYER = "add-layer"
SPEC_MESSAGE = "spec-message"
TRAIN_SIZE = "train-size"
TEST_SIZE = "test-size"
BATCH_SIZE = "batch-size"
EPOCHS = "epochs"
LEARNING_RATE = "learning-rate"
LEARNING_RATE_LABEL = "learning-rate-label"
OPTIMIZER = "optimizer"
SCHEDULE = "schedule"
DROPOUT = "dropout"
AUGMENT = "augment"
SEED = "seed"
VALIDATION_SPLIT = "validation-split"
EARLY_STOPPING = "early-stopping"
REDUCE_LR = "reduce-lr"
GRADIENT_CLIP = "gradient-clip"
DETERMINISTIC = "deterministic"
TENSORBOARD = "tensorboard"
MLFLOW = "mlflow"
LABEL_SMOOTHING = "label-smoothing"
ROTATION = "rotation"
ZOOM = "zoom"
TRANSLATION = "translation"
SHEAR = "shear"
STRETCH = "stretch"
ELASTIC = "elastic"
STROKE_WIDTH = "stroke-width"
BLUR = "blur"
CONTRAST = "contrast"
BINARIZE = "binarize"
RECIPE = "recipe"
RECIPE_HINT = "recipe-hint"
DEVICE = "device"
TRAIN = "train"
CANCEL = "cancel"
QUEUE = "queue"
CLEAR_QUEUE = "clear-queue"
QUEUE_VIEW = "queue-view"
JOB_MESSAGE = "job-message"

# Live view
POLL = "poll"
LIVE_STATE = "live-state"
PROGRESS_BAR = "progress-bar"
PROGRESS_TEXT = "progress-text"
BATCH_GRAPH = "batch-graph"
EPOCH_GRAPH = "epoch-graph"
EPOCH_TIME_GRAPH = "epoch-time-graph"

# Runs and results
RUN_SELECT = "run-select"
RUN_SUMMARY = "run-summary"
CONFUSION_GRAPH = "confusion-graph"
PER_CLASS_TABLE = "per-class-table"
MISTAKES = "mistakes"

# Drawing and prediction
CANVAS = "canvas"
CANVAS_BOX = "canvas-box"
CANVAS_MESSAGE = "canvas-message"
KEY_PAD = "key-pad"
KEY_PAD_STATUS = "key-pad-status"
KEY_PAD_HELP = "key-pad-help"
CANVAS_VERSION = "canvas-version"
CLEAR = "clear"
PREDICT = "predict"
PREDICT_RUNS = "predict-runs"
STROKES = "strokes"
MODEL_INPUT = "model-input"
MODEL_INPUT_IMAGE = "model-input-image"
PREDICTIONS = "predictions"
# Collect and correct (Draw panel): the first model's answer, "right" and "it
# was N" (the digit buttons are ANSWER_DIGIT + "0" ... "9"), where to save.
ANSWER = "answer"
ANSWER_RIGHT = "answer-right"
ANSWER_DIGIT = "answer-"
SAVE_TO = "save-to"
WRITE_MODE = "write-mode"
ASKED_DIGIT = "asked-digit"
ASK_PROMPT = "ask-prompt"
ANSWER_MESSAGE = "answer-message"

# Inside the model
INSPECT_RUN = "inspect-run"
LAYER_SUMMARY = "layer-summary"
ACTIVATION_FLOW = "activation-flow"
FEATURE_MAPS = "feature-maps"
WEIGHT_LAYER = "weight-layer"
WEIGHT_GRAPH = "weight-graph"

# Test on MNIST
TEST_COUNT = "test-count"
TEST_DIGITS = "test-digits"
TEST_RESULTS = "test-results"

# Manage runs
RUNS_TABLE = "runs-table"
RUNS_MESSAGE = "runs-message"
RENAME_TO = "rename-to"
RENAME = "rename"
DELETE = "delete"
CONFIRM_DELETE = "confirm-delete"
DOWNLOAD = "download"
DOWNLOAD_FILE = "download-file"
EXPORT_SITE = "export-site"
EXPORT_QUANTIZE = "export-quantize"
EXPORT_BUSY = "export-busy"
REPORT = "report"
RESUME = "resume"
UPLOAD = "upload"

# Prune & fine-tune
PRUNE_SPARSITY = "prune-sparsity"
PRUNE_COUNT = "prune-count"
PRUNE_EPOCHS = "prune-epochs"
PRUNE_START = "prune-start"

# Compare
COMPARE_CURVES = "compare-curves"
COMPARE_TABLE = "compare-table"
COMPARE_MATRICES = "compare-matrices"
COMPARE_DIGITS = "compare-digits"
ENSEMBLE_TTA = "ensemble-tta"
ENSEMBLE_START = "ensemble-start"
ENSEMBLE_RESULT = "ensemble-result"

# Dataset preview
PREVIEW = "preview"
RESHUFFLE = "reshuffle"
PREVIEW_SEED = "preview-seed"

# Data of one's own (training panel)
DATASET = "dataset"
DATA_DIR = "data-dir"
DATA_DIR_BOX = "data-dir-box"
DATA_MESSAGE = "data-message"

# Page: address, theme, navigation
# The page's notice of a callback that failed (`dashboard.callback_errors`).
CALLBACK_ERROR = "callback-error"
URL = "url"
THEME_SWITCH = "theme-switch"
THEME_APPLIED = "theme-applied"

# Share and reproduce (training panel) and a run's own lines (results panel)
SHARE_QUERY = "share-query"
SHARE_LINK = "share-link"
SHARE_PYTHON = "share-python"
SHARE_COMMAND = "share-command"
SHARE_MESSAGE = "share-message"
RUN_PYTHON = "run-python"
RUN_COMMAND = "run-command"

# Lessons
LESSON = "lesson"
LESSON_CARD = "lesson-card"

# The network diagram (inside the model); blocks are {"type": LAYER_BLOCK, "layer": name}
NETWORK_DIAGRAM = "network-diagram"
LAYER_BLOCK = "layer-block"
FOCUSED_LAYER = "focused-layer"

# The job being cancelled, so its message can say when the cancel is done
CANCELLING = "cancelling"

# Stores that say when to refresh the results, the run list and the personal datasets.
RESULTS_KEY = "results-key"
RUNS_KEY = "runs-key"
DATASETS_KEY = "datasets-key"

# Your handwriting panel: a personal dataset, its samples, teaching.
HAND_DATASET = "hand-dataset"
HAND_NEW_NAME = "hand-new-name"
HAND_CREATE = "hand-create"
HAND_COUNTS = "hand-counts"
HAND_SAMPLES = "hand-samples"
HAND_SAMPLE = "hand-sample"  # pattern-matching type: {"type", "id"}
HAND_SELECTED = "hand-selected"
HAND_SELECTION = "hand-selection"
HAND_RELABEL_TO = "hand-relabel-to"
HAND_RELABEL = "hand-relabel"
HAND_DELETE = "hand-delete"
HAND_MESSAGE = "hand-message"
HAND_UPLOAD = "hand-upload"
HAND_DOWNLOAD = "hand-download"
HAND_DOWNLOAD_FILE = "hand-download-file"
HAND_BASE = "hand-base"
HAND_TEACH = "hand-teach"
HAND_TAUGHT = "hand-taught"

# Sweeps panel (hyperparameter sweeps on Optuna)
SWEEP_STORAGE = "sweep-storage"
SWEEP_STUDY = "sweep-study"
SWEEP_NAME = "sweep-name"
SWEEP_SPACE = "sweep-space"
SWEEP_ADD_SETTING = "sweep-add-setting"
SWEEP_SPACE_MESSAGE = "sweep-space-message"
SWEEP_TRIALS = "sweep-trials"
SWEEP_WORKERS = "sweep-workers"
SWEEP_PRUNER = "sweep-pruner"
SWEEP_START = "sweep-start"
SWEEP_STOP = "sweep-stop"
SWEEP_MESSAGE = "sweep-message"
SWEEP_POLL = "sweep-poll"
SWEEP_KEY = "sweep-key"
SWEEP_PROGRESS = "sweep-progress"
SWEEP_TABLE = "sweep-table"
SWEEP_OPEN_MESSAGE = "sweep-open-message"
SWEEP_CSV = "sweep-csv"
SWEEP_CSV_FILE = "sweep-csv-file"
SWEEP_PARALLEL = "sweep-parallel"
SWEEP_IMPORTANCE = "sweep-importance"
SWEEP_HISTORY = "sweep-history"
# Explanations: why this answer, confusion cells, calibration, projector.
# Why this answer? (beside the drawing's predictions)
WHY_METHOD = "why-method"
WHY_ATTACK = "why-attack"
WHY_CARDS = "why-cards"
# Confusion cells and calibration; VIEW_RESULTS / VIEW_COMPARE tell the two apart.
VIEW_RESULTS, VIEW_COMPARE = "results", "compare"
CELL_DIGIT = "cell-digit"  # pattern-matching type: {"type", "view", "run", "index"}
PAIR_BUTTON = "pair-button"  # pattern-matching type: {"type", "view", "true", "predicted"}
CELL_SELECTION = "cell-selection"  # {view}: a store {"run", "true", "predicted"}
CELL_DIGITS = "cell-digits"  # {view}
CELL_SALIENCY = "cell-saliency"  # {view}
CELL_SHOWN = "cell-shown"  # {view}: a store, the test index of the digit explained
CONFUSED_PAIRS = "confused-pairs"  # {view}
CELL_METHOD = "cell-method"
CALIBRATION_GRAPH = "calibration-graph"
COMPARE_CELL_RUN = "compare-cell-run"
COMPARE_CELL_MATRIX = "compare-cell-matrix"
COMPARE_CALIBRATION = "compare-calibration"
# Projector
PROJECTOR_RUN = "projector-run"
PROJECTOR_METHOD = "projector-method"
PROJECTOR_GRAPH = "projector-graph"
PROJECTOR_STATUS = "projector-status"
PROJECTOR_POLL = "projector-poll"
PROJECTOR_STAR = "projector-star"
PROJECTOR_HOVER = "projector-hover"
PROJECTOR_SELECTION = "projector-selection"

# Doubtful labels: a run's training images ranked by how likely their label is
# wrong, a decision per image, training again without the excluded.
DOUBT_RUN = "doubt-run"
DOUBT_FOLDS = "doubt-folds"
DOUBT_SHOWN = "doubt-shown"
DOUBT_START = "doubt-start"
DOUBT_POLL = "doubt-poll"
DOUBT_KEY = "doubt-key"  # a store: changes when a ranking finishes
DOUBT_PROGRESS_BAR = "doubt-progress-bar"
DOUBT_STATUS = "doubt-status"
DOUBT_TILES = "doubt-tiles"
DOUBT_TILE = "doubt-tile"  # pattern-matching type: {"type", "index"}
DOUBT_DECISION = "doubt-decision"  # pattern-matching type: {"type", "index"}
DOUBT_RELABEL_TO = "doubt-relabel-to"  # pattern-matching type: {"type", "index"}
DOUBT_SUMMARY = "doubt-summary"
DOUBT_RETRAIN = "doubt-retrain"
DOUBT_MESSAGE = "doubt-message"


def view_id(name, view):
    """The id of a component that exists once per view (results, compare)."""
    return f"{name}-{view}"
RUNS_CSV = "runs-csv"
RUNS_CSV_FILE = "runs-csv-file"
RUN_TAGS = "run-tags"
RUN_NOTE = "run-note"
SAVE_NOTES = "save-notes"
