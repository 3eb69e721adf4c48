"""Bounds on what the page may send or ask of the server, in one place."""

# The largest .keras file the upload accepts (the default CNN is under 3 MB).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

# The largest request body the server reads: an upload travels base64-encoded
# (4 bytes per 3) inside a JSON callback request, plus room for the rest.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES * 4 // 3 + 1024 * 1024

# Models that predict a drawing side by side (and are inspected, explained).
MAX_PREDICT_RUNS = 3
# Random test digits shown at once, by default and at most.
TEST_COUNT_DEFAULT, TEST_COUNT_MAX = 20, 100
# Ticked runs compared at once.
MAX_COMPARED = 4
