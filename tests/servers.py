"""Real servers the tests start on loopback (TensorBoard, MLflow): a free port, a
server process, and a wait until it answers."""

import contextlib
import socket
import subprocess
import time
import urllib.request


def free_port():
    """A TCP port nothing listens on at 127.0.0.1, now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(command, url, ready, name, timeout=180, cwd=None):
    """Runs `command` (a server at `url`) until the block ends; waits until it is ready.

    Args:
        command: the server's command line.
        url: the address `ready` is asked with.
        ready: `ready(answer)` on an HTTP answer from `url`: True once the
            server can serve the test.
        name: how a failure names the server.
        timeout: seconds to wait for it.
        cwd: its working folder.
    """
    server = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert server.poll() is None, f"{name} exited"
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if ready(answer):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{name} never answered {url}"
            time.sleep(0.5)
        yield
    finally:
        server.terminate()
        server.wait(timeout=60)
