"""A model file from elsewhere is first loaded in a separate, watched process.

A `.keras` file of a few kilobytes can declare layers of billions of
parameters; Keras allocates them while it builds the model, before any check
of ours can look at the result, and a process (the dashboard, the command
line) that did that itself would grow by gigabytes or be killed. So an
imported or uploaded model is loaded first in a child process that is killed
as soon as it uses more than `MAX_PROBE_MEMORY_BYTES` or
`PROBE_TIMEOUT_SECONDS`; only a model that loads there, is a digit classifier
and has at most `MAX_UPLOAD_PARAMETERS` parameters is loaded by the caller.
The child loads in Keras safe mode, as every loader here does.

    python -m mnist_keras.model_probe MODEL.keras   # prints {"parameters": N} or {"error": ...}
"""

import json
import os
import subprocess
import sys
import time

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs.model_files import MAX_MODEL_PARAMETERS

# The child imports TensorFlow (about 0.6 GB here) and then builds the model;
# the default CNN needs well under 1 GB in all.
MAX_PROBE_MEMORY_BYTES = 2 * 1024 ** 3
PROBE_TIMEOUT_SECONDS = 120
# One limit for every entry point (mnist_keras.runs.model_files).
MAX_UPLOAD_PARAMETERS = MAX_MODEL_PARAMETERS
_POLL_SECONDS = 0.05


def probe_model_file(path, max_memory_bytes=MAX_PROBE_MEMORY_BYTES,
                     timeout=PROBE_TIMEOUT_SECONDS):
    """Loads `path` in a watched child process and returns its parameter count.

    Args:
        path: a `.keras` file.
        max_memory_bytes: the child's resident memory at which it is killed.
        timeout: seconds after which it is killed.

    Returns:
        The model's parameter count.

    Raises:
        MnistKerasError: if the child reports an error (not loadable, not a
            digit classifier), is killed for memory or time, or the model has
            more than `MAX_UPLOAD_PARAMETERS` parameters.
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    child = subprocess.Popen([sys.executable, "-m", "mnist_keras.model_probe", os.fspath(path)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    started, peak = time.monotonic(), 0
    try:
        while child.poll() is None:
            peak = max(peak, _resident_bytes(child.pid))
            if peak > max_memory_bytes:
                raise MnistKerasError(
                    f"Expected a model that loads in at most {max_memory_bytes / 1024 ** 3:.0f} "
                    f"GiB of memory. Received: a model that needed more (it was not loaded)")
            if time.monotonic() - started > timeout:
                raise MnistKerasError(
                    f"Expected a model that loads within {timeout} s. Received: a model that "
                    "took longer (it was not loaded)")
            time.sleep(_POLL_SECONDS)
        output = child.stdout.read().decode(errors="replace")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    try:
        answer = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise MnistKerasError("Expected a model that loads. Received: a file that stopped the "
                              f"loader (exit code {child.returncode})") from None
    if "error" in answer:
        raise MnistKerasError(str(answer["error"])[:500])
    if answer["parameters"] > MAX_UPLOAD_PARAMETERS:
        raise MnistKerasError(f"Expected a model of at most {MAX_UPLOAD_PARAMETERS:,} "
                              f"parameters. Received: {answer['parameters']:,}")
    return answer["parameters"]


def _resident_bytes(pid):
    # Linux's view of the child; elsewhere only the time limit applies.
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _probe(path):
    from mnist_keras.runs import check_digit_classifier, load_model

    try:
        model = load_model(path)
        check_digit_classifier(model)
    except MnistKerasError as error:
        return {"error": str(error)}
    return {"parameters": int(model.count_params())}


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1])), flush=True)
