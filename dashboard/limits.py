"""Bounds on what the page may send the server, in one place."""

# The largest .keras file the upload accepts (the default CNN is under 3 MB).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

# The largest request body the server reads: an upload travels base64-encoded
# (4 bytes per 3) inside a JSON callback request, plus room for the rest.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES * 4 // 3 + 1024 * 1024
