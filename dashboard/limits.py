"""Bounds on what the page may send the server, in one place."""

# The largest .keras file the upload accepts (the default CNN is under 3 MB).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
