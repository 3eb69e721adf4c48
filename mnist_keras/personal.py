"""Personal datasets: a person's own digits, kept in the runs folder, a dataset like any other.

```
RUNS_DIR/datasets/NAME/dataset.json       the contract: schema_version, name, classes, created
RUNS_DIR/datasets/NAME/samples.jsonl      one sample per line: id, label, strokes (pad pixels,
                                          or null for a photo), the 28x28 model input, source,
                                          created
RUNS_DIR/datasets/NAME/images/LABEL/ID.png
                                          the 280x280 drawing, black on white: the image-folder
                                          layout `--dataset images --data-dir .../images` reads
```

A sample is added from a drawing's strokes (the dashboard's canvas, the
exported page) or from an image (a photo, a scan), labelled by the person:
"right" or "it was N". Its image is the drawing as the pad paints it and its
input what `preprocess_drawing` makes of it, so a model reads it exactly as it
reads the person's drawings. Writes are atomic and under the dataset's lock
(the dashboard and a command may write at once); a refused sample changes
nothing. `samples_file` / `import_samples` carry samples between the exported
page, this machine and others (`mnist-keras data import FILE`).

```python
from mnist_keras.personal import PersonalDataset
mine = PersonalDataset.create("runs", "my-hand")
mine.add(7, strokes=[{"points": [[60, 60], [220, 60], [120, 240]], "width": 22}])
mine.counts()          # {0: 0, ..., 7: 1, 8: 0, 9: 0}
```
"""

import base64
import contextlib
import dataclasses
import io
import json
import os
import re
import shutil
import time
import uuid
from typing import Optional

import numpy as np

from mnist_keras.atomic import atomic_path, atomic_write_json
from mnist_keras.drawing_pad import bounded_strokes, render_strokes
from mnist_keras.errors import MnistKerasError, expected

# Where personal datasets live inside a runs folder, and the first one's name.
DATASETS_FOLDER = "datasets"
DEFAULT_NAME = "my-handwriting"
SCHEMA_VERSION = 1
CLASSES = tuple(str(digit) for digit in range(10))
# The samples file the exported page downloads and `mnist-keras data import` reads.
SAMPLES_FORMAT = "mnist-keras-samples"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
# Bounds on what a file or a request may bring, far above a person's samples.
MAX_SAMPLES = 10_000
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_IMAGE_SIDE = 4_000
_LOCK_TIMEOUT_SECONDS = 30


@dataclasses.dataclass(frozen=True)
class Sample:
    """One labelled digit of a personal dataset.

    Attributes:
        id: its name in the dataset (the image file's name without `.png`).
        label: the digit the person says it is, 0-9.
        strokes: the drawing's strokes in pad pixels, or None (an image).
        input: the 28x28 model input, as nested lists in [0, 1].
        source: where it came from: `dashboard`, `page`, `import`, `cli`.
        created: when it was added (seconds since the epoch).
    """

    id: str
    label: int
    strokes: Optional[list]
    input: list
    source: str
    created: float

    def to_dict(self):
        return dataclasses.asdict(self)


def _check_name(name):
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        shown = name[:100] if isinstance(name, str) else type(name).__name__
        raise expected("a dataset name of 1-80 letters, digits, '.', '_' or '-'", name=shown)
    return name


def _check_label(label):
    if isinstance(label, bool) or not isinstance(label, (int, np.integer, str)) or \
            str(label) not in CLASSES:
        raise expected(f"a label among {list(CLASSES)}", label=label)
    return int(label)


def datasets_dir(runs_dir):
    """The folder of a runs folder's personal datasets."""
    return os.path.join(os.fspath(runs_dir), DATASETS_FOLDER)


def personal_datasets(runs_dir):
    """The names of the personal datasets in `runs_dir`, sorted."""
    folder = datasets_dir(runs_dir)
    if not os.path.isdir(folder):
        return []
    return sorted(entry.name for entry in os.scandir(folder) if entry.is_dir()
                  and NAME_PATTERN.fullmatch(entry.name)
                  and os.path.isfile(os.path.join(entry.path, "dataset.json")))


class PersonalDataset:
    """A personal dataset's folder (see the module's docstring for its files).

    Args:
        path: the dataset's folder.
    """

    def __init__(self, path):
        self.path = os.fspath(path)

    @property
    def name(self):
        return os.path.basename(os.path.normpath(self.path))

    @property
    def images_dir(self):
        """The image folder by class (`--dataset images --data-dir` this)."""
        return os.path.join(self.path, "images")

    def file(self, name):
        return os.path.join(self.path, name)

    @classmethod
    def create(cls, runs_dir, name):
        """Creates an empty personal dataset `name` in `runs_dir`.

        Raises:
            MnistKerasError: for a bad name, a dataset of that name, or a
                folder that cannot be written.
        """
        path = os.path.join(datasets_dir(runs_dir), _check_name(name))
        if os.path.exists(path):
            raise expected("a name no other dataset has", name=name)
        try:
            os.makedirs(os.path.join(path, "images"))
            for label in CLASSES:
                os.makedirs(os.path.join(path, "images", label))
            atomic_write_json(os.path.join(path, "dataset.json"),
                              {"schema_version": SCHEMA_VERSION, "name": name,
                               "classes": list(CLASSES), "created": time.time()})
        except OSError as error:
            shutil.rmtree(path, ignore_errors=True)
            raise expected("a runs folder the dataset can be written to", name=name,
                           reason=error.strerror or str(error)) from None
        return cls(path)

    @classmethod
    def open(cls, runs_dir, name, create=False):
        """The personal dataset `name` in `runs_dir` (created first with `create`).

        Raises:
            MnistKerasError: for a bad name or, unless `create`, a missing dataset.
        """
        path = os.path.join(datasets_dir(runs_dir), _check_name(name))
        if not os.path.isfile(os.path.join(path, "dataset.json")):
            if create:
                return cls.create(runs_dir, name)
            raise expected("an existing personal dataset", name=name)
        dataset = cls(path)
        dataset.info()  # refuses a damaged or newer contract
        return dataset

    def info(self):
        """The contract's `{schema_version, name, classes, created}`.

        Raises:
            MnistKerasError: for a missing, damaged or newer `dataset.json`.
        """
        try:
            with open(self.file("dataset.json"), encoding="utf-8") as file:
                data = json.load(file)
        except (OSError, ValueError) as error:
            raise expected(f"a readable dataset.json in {self.name}",
                           reason=str(error)[:200]) from None
        version = data.get("schema_version") if isinstance(data, dict) else None
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise expected(f"dataset.json in version {SCHEMA_VERSION} or older (a newer one "
                           "was written by a newer mnist-keras: upgrade to read it)",
                           schema_version=version)
        return data

    def _lock(self):
        from filelock import FileLock

        return FileLock(self.file(".lock"), timeout=_LOCK_TIMEOUT_SECONDS)

    def samples(self):
        """Every sample, oldest first (a damaged line is skipped, never fatal)."""
        found = []
        try:
            with open(self.file("samples.jsonl"), encoding="utf-8") as file:
                for line in file:
                    try:
                        record = json.loads(line)
                        found.append(Sample(**{field.name: record[field.name]
                                               for field in dataclasses.fields(Sample)}))
                    except (ValueError, KeyError, TypeError):
                        continue
        except FileNotFoundError:
            pass
        return found

    def counts(self):
        """Samples per digit: `{0: n0, ..., 9: n9}`."""
        counts = dict.fromkeys(range(len(CLASSES)), 0)
        for sample in self.samples():
            counts[sample.label] = counts.get(sample.label, 0) + 1
        return counts

    def image_file(self, sample):
        """The path of a sample's 280x280 image."""
        return os.path.join(self.images_dir, str(sample.label), f"{sample.id}.png")

    def add(self, label, strokes=None, image=None, source="dashboard"):
        """Adds one labelled digit, from its strokes or from an image.

        Args:
            label: the digit it is, 0-9.
            strokes: the drawing's strokes in pad pixels (as the dashboard's
                canvas and the exported page record them).
            image: instead of strokes, an image array (a photo or a scan, any
                size up to 4,000 px a side; dark ink on light paper or the
                reverse).
            source: where it comes from (`dashboard`, `page`, `import`, `cli`).

        Returns:
            The new `Sample`.

        Raises:
            MnistKerasError: for a bad label, neither or both of strokes and
                image, or a drawing that is not a digit (blank, a speck):
                then nothing is written.
        """
        from mnist_keras.preprocessing import EmptyDrawingError, preprocess_drawing

        label = _check_label(label)
        if (strokes is None) == (image is None):
            raise expected("either the strokes of a drawing or an image", label=label)
        if strokes is not None:
            strokes = bounded_strokes(strokes)
            image = render_strokes(strokes)
        image = _checked_image(image)
        try:
            model_input = preprocess_drawing(image)
        except EmptyDrawingError as error:
            raise expected("a drawing of a digit", reason=str(error)) from None
        sample = Sample(id=f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}",
                        label=label, strokes=strokes, input=np.round(model_input, 3).tolist(),
                        source=str(source)[:20], created=time.time())
        with self._lock():
            if len(self.samples()) >= MAX_SAMPLES:
                raise expected(f"a dataset of at most {MAX_SAMPLES:,} samples",
                               dataset=self.name)
            _write_png(self.image_file(sample), image)
            try:
                with open(self.file("samples.jsonl"), "a", encoding="utf-8") as file:
                    file.write(json.dumps(sample.to_dict(), separators=(",", ":")) + "\n")
            except OSError as error:
                os.remove(self.image_file(sample))
                raise expected("a dataset folder the sample can be written to",
                               reason=error.strerror or str(error)) from None
        return sample

    def _rewrite(self, samples):
        with atomic_path(self.file("samples.jsonl")) as tmp, open(tmp, "w",
                                                                  encoding="utf-8") as file:
            for sample in samples:
                file.write(json.dumps(sample.to_dict(), separators=(",", ":")) + "\n")

    def _find(self, samples, sample_id):
        for index, sample in enumerate(samples):
            if sample.id == sample_id:
                return index
        raise expected("a sample of this dataset", sample=str(sample_id)[:100])

    def relabel(self, sample_id, label):
        """Gives a sample another label (its image moves to that digit's folder)."""
        label = _check_label(label)
        with self._lock():
            samples = self.samples()
            index = self._find(samples, sample_id)
            old = samples[index]
            new = dataclasses.replace(old, label=label)
            if old.label != label:
                os.replace(self.image_file(old), self.image_file(new))
            samples[index] = new
            self._rewrite(samples)
        return new

    def delete(self, sample_id):
        """Removes a sample and its image."""
        with self._lock():
            samples = self.samples()
            index = self._find(samples, sample_id)
            gone = samples.pop(index)
            self._rewrite(samples)
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.image_file(gone))

    def samples_file(self):
        """The dataset as a samples file (JSON-ready): what `import_samples` reads."""
        return {"format": SAMPLES_FORMAT, "version": 1, "name": self.name,
                "classes": list(CLASSES),
                "samples": [{"label": sample.label, "strokes": sample.strokes,
                             "created": sample.created,
                             **({} if sample.strokes else
                                {"image": _png_data_uri(self.image_file(sample))})}
                            for sample in self.samples()]}


def _checked_image(image):
    image = np.asarray(image)
    if image.dtype == object or image.ndim not in (2, 3) or image.size == 0:
        raise expected("an image: a 2-D array, or 3-D with colour channels",
                       shape=tuple(image.shape))
    if max(image.shape[:2]) > MAX_IMAGE_SIDE:
        raise expected(f"an image of at most {MAX_IMAGE_SIDE:,} pixels a side",
                       shape=tuple(image.shape))
    return image


def _write_png(path, image):
    from PIL import Image

    # Kept as it came (a photo stays a photo: the drawing recipe reads any size).
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    with atomic_path(path) as tmp, open(tmp, "wb") as file:
        file.write(buffer.getvalue())


def _png_data_uri(path):
    with open(path, "rb") as file:
        return "data:image/png;base64," + base64.b64encode(file.read()).decode("ascii")


def _image_from_data_uri(text):
    from PIL import Image

    if not isinstance(text, str) or not text.startswith("data:image/"):
        raise expected("an image as a data: URI", image=str(text)[:40])
    try:
        data = base64.b64decode(text.split(",", 1)[1], validate=True)
        picture = Image.open(io.BytesIO(data))
        if max(picture.size) > MAX_IMAGE_SIDE:
            raise expected(f"an image of at most {MAX_IMAGE_SIDE:,} pixels a side",
                           size=picture.size)
        return np.asarray(picture.convert("RGBA"))
    except MnistKerasError:
        raise
    except Exception as error:  # PIL raises many kinds for a bad image
        raise expected("a readable image", reason=str(error)[:100]) from None


def read_samples_file(path):
    """The samples of a samples file, checked: `(name, [{label, strokes or image}])`.

    Raises:
        MnistKerasError: for a missing, oversized or damaged file, one of
            another format, or a sample with a bad label; nothing is read in
            part.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise expected("an existing samples file", file=path)
    if os.path.getsize(path) > MAX_IMPORT_BYTES:
        raise expected(f"a samples file of at most {MAX_IMPORT_BYTES // 2**20} MB",
                       size=f"{os.path.getsize(path) / 2**20:.0f} MB")
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError, RecursionError) as error:
        raise expected("a samples file in JSON (as the exported page downloads it)",
                       reason=str(error)[:100]) from None
    if not isinstance(data, dict) or data.get("format") != SAMPLES_FORMAT:
        raise expected(f"a file of format {SAMPLES_FORMAT!r}",
                       format=data.get("format") if isinstance(data, dict) else None)
    if not isinstance(data.get("version"), int) or data["version"] > 1:
        raise expected("a samples file of version 1 (a newer one was written by a newer "
                       "mnist-keras: upgrade to read it)", version=data.get("version"))
    samples = data.get("samples")
    if not isinstance(samples, list) or not 1 <= len(samples) <= MAX_SAMPLES:
        raise expected(f"a file of 1-{MAX_SAMPLES:,} samples",
                       samples=len(samples) if isinstance(samples, list) else None)
    for number, sample in enumerate(samples, 1):
        if not isinstance(sample, dict) or not (sample.get("strokes") or sample.get("image")):
            raise expected("samples with strokes or an image", sample=number)
        try:
            _check_label(sample.get("label"))
        except MnistKerasError:
            raise expected(f"a label among {list(CLASSES)} for every sample", sample=number,
                           label=sample.get("label")) from None
    name = data.get("name")
    return (name if isinstance(name, str) and NAME_PATTERN.fullmatch(name) else None), samples


def import_samples(path, runs_dir, name=None):
    """Adds the samples of a samples file to the personal dataset `name` (created if new).

    Every sample is checked before any is added, so a bad file adds nothing;
    a sample that is not a digit (blank) is skipped and counted.

    Args:
        path: the samples file (`mnist-keras-samples`, as the exported page
            downloads it).
        runs_dir: the runs folder.
        name: the dataset to add to; defaults to the file's own name, or
            `my-handwriting`.

    Returns:
        `(dataset, added, skipped)`: the `PersonalDataset` and two counts.

    Raises:
        MnistKerasError: for a bad file or name (nothing is added).
    """
    file_name, samples = read_samples_file(path)
    name = name or file_name or DEFAULT_NAME
    _check_name(name)
    prepared = []
    for sample in samples:
        strokes = sample.get("strokes")
        image = None if strokes else _image_from_data_uri(sample.get("image"))
        prepared.append((int(sample["label"]), bounded_strokes(strokes) if strokes else None,
                         image))
    dataset = PersonalDataset.open(runs_dir, name, create=True)
    added = skipped = 0
    for label, strokes, image in prepared:
        try:
            dataset.add(label, strokes=strokes, image=image, source="import")
            added += 1
        except MnistKerasError:
            skipped += 1
    return dataset, added, skipped
