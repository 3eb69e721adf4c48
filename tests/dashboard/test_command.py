"""`mnist-keras dashboard` as a user starts it: a quiet terminal unless asked otherwise."""

import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_and_poll(tmp_path, *options, env=None, wait_for=None):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mnist_keras.cli", "dashboard", "--port", str(port),
         "--runs-dir", str(tmp_path / "runs"), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=os.getcwd(),
        env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                for _ in range(20):  # an idle tab's polls
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout",
                                           timeout=30).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        deadline = time.monotonic() + 15
        while wait_for is not None and not wait_for.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
    return output


def test_requests_are_logged_only_when_asked(tmp_path):
    # Regression: an idle tab put 6.5 access-log lines a second in the terminal.
    output = _serve_and_poll(tmp_path, "--verbose")
    assert "mnist-keras dashboard on http://127.0.0.1:" in output
    assert output.count("GET /_dash-layout") == 20, output[-2000:]


def test_open_hands_the_address_to_the_systems_browser_and_requests_stay_quiet(tmp_path):
    # The "browser" here records what it was asked to open (Python's webbrowser
    # module runs $BROWSER with the address in place of %s). One start-up
    # checks both, since each costs a TensorFlow import.
    opened = tmp_path / "opened.txt"
    browser = (f"{sys.executable} -c \"import sys; open({str(opened)!r}, 'w')"
               f".write(sys.argv[1])\" %s")
    output = _serve_and_poll(tmp_path, "--open", env={"BROWSER": browser}, wait_for=opened)
    address = output.split("mnist-keras dashboard on ")[1].split()[0]
    assert opened.read_text() == address and address.startswith("http://127.0.0.1:")
    assert output.count("GET /_dash-layout") == 0, output[-2000:]


def test_a_custom_layer_module_that_does_not_import_is_one_line(capsys, monkeypatch):
    from mnist_keras.cli import main
    from mnist_keras.runs.model_files import MODULES_VARIABLE

    monkeypatch.setenv(MODULES_VARIABLE, "")
    assert main(["dashboard", "--import-module", "no_such_layers", "--port", "8050"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "module='no_such_layers'" in error
