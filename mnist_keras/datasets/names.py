"""The class names of each named dataset, and which ones ship with the package."""

CLASS_NAMES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion-mnist": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
    "kmnist": ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
}

BUNDLED = ("mnist",)

# Datasets whose class names come from the data folder itself: any IDX set
# (numbered classes, or a classes.txt) and a folder of images by class.
FOLDER_DATASETS = ("idx", "images")
