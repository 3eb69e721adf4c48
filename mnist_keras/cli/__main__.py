"""`python -m mnist_keras.cli ...` runs the `mnist-keras` command."""

import sys

from mnist_keras.cli import main

sys.exit(main())
