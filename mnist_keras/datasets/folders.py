"""A folder of images sorted by class, read as an MNIST-like dataset.

Two layouts, one sub-folder per class (its name is the class name):

```
DIR/train/<class>/*.png and DIR/test/<class>/*.png    the split is yours
DIR/<class>/*.png                                      a fixed, stratified 80/20 split
```

Keras' `image_dataset_from_directory` reads the files (PNG, JPEG, BMP, GIF),
as grayscale, resized to 28x28. Images are turned into MNIST's convention,
light ink on a dark background, one by one: an image whose border is light
(dark ink on white paper) is inverted, so the dashboard's drawings, which
are preprocessed into that convention, match what the model learned.

Everything is counted before a file is decoded: a folder with too many files
or classes is refused after a directory walk, not after minutes of decoding.
"""

import os

import numpy as np

from mnist_keras.errors import MnistKerasError, expected

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
MAX_IMAGES = 100_000
MAX_CLASSES = 100
# The share of a one-folder layout kept for testing; the split is seeded with
# a fixed seed, so the test set stays the same whatever the training seed.
TEST_FRACTION = 0.2
SPLIT_SEED = 0


def _class_folders(folder):
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        raise expected(f"a readable folder ({error.strerror})", data_dir=folder) from None
    return [entry.name for entry in entries if entry.is_dir() and not entry.name.startswith(".")]


def _count_images(folder):
    count = 0
    for _, _, files in os.walk(folder):
        count += sum(name.lower().endswith(IMAGE_EXTENSIONS) for name in files)
        if count > MAX_IMAGES:
            break
    return count


def folder_layout(data_dir):
    """How an image folder is laid out, checked without decoding any image.

    Args:
        data_dir: the folder.

    Returns:
        A dict: `class_names` (sorted sub-folder names), `split` (`"folders"`
        for train/ and test/ sub-folders, `"80/20"` otherwise), `counts`
        (`{"train": n, "test": n}` for split folders, `{"all": n}` otherwise).

    Raises:
        MnistKerasError: for a missing folder, fewer than 2 or more than 100
            classes, no images in a class, train and test classes that differ,
            or more than 100,000 images.
    """
    if not isinstance(data_dir, str) or not os.path.isdir(data_dir):
        raise expected("an existing folder of images by class", data_dir=data_dir)
    classes = _class_folders(data_dir)
    if set(classes) == {"train", "test"}:
        parts = {part: os.path.join(data_dir, part) for part in ("train", "test")}
        names = {part: _class_folders(path) for part, path in parts.items()}
        if names["train"] != names["test"]:
            raise expected("the same class folders in train/ and test/",
                           train=names["train"][:20], test=names["test"][:20])
        class_names, split = names["train"], "folders"
        folders = parts
    else:
        class_names, split, folders = classes, "80/20", {"all": data_dir}
    if not 2 <= len(class_names) <= MAX_CLASSES:
        raise expected(f"between 2 and {MAX_CLASSES} class folders (one per class, named "
                       "after it)", data_dir=data_dir, classes=len(class_names))
    counts = {}
    for part, folder in folders.items():
        for name in class_names:
            if _count_images(os.path.join(folder, name)) == 0:
                where = f"{part}/{name}" if split == "folders" else name
                raise expected(f"images ({', '.join(IMAGE_EXTENSIONS)}) in every class folder",
                               empty=where)
        counts[part] = _count_images(folder)
    total = sum(counts.values())
    if total > MAX_IMAGES:
        raise expected(f"at most {MAX_IMAGES:,} images", data_dir=data_dir,
                       images=f"over {MAX_IMAGES:,}")
    return {"class_names": class_names, "split": split, "counts": counts}


def _open(folder, class_names):
    # Keras lists, reads and resizes; imported here so the module stays light.
    # Listing decodes nothing: the files are read when the dataset is iterated.
    import keras

    return keras.utils.image_dataset_from_directory(
        folder, labels="inferred", label_mode="int", class_names=class_names,
        color_mode="grayscale", batch_size=None, image_size=(28, 28), shuffle=False,
        interpolation="area", verbose=False)


def _read(folder, class_names):
    dataset = _open(folder, class_names)
    images, labels = [], []
    for image, label in dataset.as_numpy_iterator():
        images.append(image[..., 0])
        labels.append(label)
    images = np.clip(np.rint(np.stack(images)), 0, 255).astype(np.uint8)
    return _light_on_dark(images), np.asarray(labels, dtype=np.int64)


def _light_on_dark(images):
    border = np.concatenate([images[:, 0, :], images[:, -1, :], images[:, :, 0],
                             images[:, :, -1]], axis=1)
    light_paper = border.mean(axis=1) > 127
    images[light_paper] = 255 - images[light_paper]
    return images


def read_image_folder(data_dir):
    """Reads a folder of images by class as train and test arrays.

    Args:
        data_dir: the folder (see the module's layouts).

    Returns:
        `(train_images, train_labels, test_images, test_labels, class_names)`:
        uint8 images (N, 28, 28), light ink on dark, and int labels.

    Raises:
        MnistKerasError: for a folder `folder_layout` refuses, or images Keras
            cannot decode.
    """
    layout = folder_layout(data_dir)
    class_names = layout["class_names"]
    try:
        if layout["split"] == "folders":
            train = _read(os.path.join(data_dir, "train"), class_names)
            test = _read(os.path.join(data_dir, "test"), class_names)
        else:
            images, labels = _read(data_dir, class_names)
            train, test = _split(images, labels)
    except MnistKerasError:
        raise
    except Exception as error:  # a file Keras or TensorFlow cannot decode
        raise MnistKerasError(f"Expected images Keras can decode in {data_dir!r}. "
                              f"Received: {str(error).splitlines()[0][:200]}") from None
    return (*train, *test, list(class_names))


def image_folder_files(data_dir):
    """The files of an image folder, in the order `read_image_folder` reads them.

    Decodes no image: a label review names an image folder's images by file,
    so that images added or removed later do not shift which image a
    decision is about.

    Args:
        data_dir: the folder (see the module's layouts).

    Returns:
        `(train_files, test_files)`: lists of paths relative to `data_dir`,
        with `/` between their parts, in the order of the arrays
        `read_image_folder` returns.

    Raises:
        MnistKerasError: for a folder `folder_layout` refuses.
    """
    layout = folder_layout(data_dir)
    class_names = layout["class_names"]

    def listed(folder):
        paths = _open(folder, class_names).file_paths
        return [os.path.relpath(path, data_dir).replace(os.sep, "/") for path in paths]

    if layout["split"] == "folders":
        return (listed(os.path.join(data_dir, "train")),
                listed(os.path.join(data_dir, "test")))
    files = listed(data_dir)
    # The labels the split stratifies on: each file's class folder.
    labels = np.array([class_names.index(name.split("/")[0]) for name in files],
                      dtype=np.int64)
    (train, _), (test, _) = _split(np.array(files, dtype=object), labels)
    return list(train), list(test)


def _split(images, labels):
    from sklearn.model_selection import train_test_split

    indices = np.arange(len(labels))
    try:
        train, test = train_test_split(indices, test_size=TEST_FRACTION, stratify=labels,
                                       random_state=SPLIT_SEED)
    except ValueError:
        # Too few images of some class to stratify: a plain seeded shuffle.
        train, test = train_test_split(indices, test_size=TEST_FRACTION,
                                       random_state=SPLIT_SEED)
    train, test = np.sort(train), np.sort(test)
    return (images[train], labels[train]), (images[test], labels[test])
