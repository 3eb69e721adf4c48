"""Serving exported sites and driving them in headless Chromium."""

import functools
import http.server
import threading
import time

import pytest

# WebGPU on Chromium's software adapter; every host name but the page's own
# server fails to resolve, so a request anywhere else would fail the page.
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
    "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested = None
    delays = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.requested.append(self.path)
        time.sleep(self.delays.get(self.path.split("?")[0], 0))
        super().do_GET()


class StaticServer:
    """`python -m http.server -d FOLDER` in a thread, recording what was asked for.

    Args:
        folder: what to serve.
        delays: `{path: seconds}` to answer some requests late (a slow network).
    """

    def __init__(self, folder, delays=None):
        self.requested = []
        handler = type("Handler", (_QuietHandler,), {"requested": self.requested,
                                                     "delays": delays or {}})
        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}/"

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(folder, delays=None):
        servers.append(StaticServer(folder, delays))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def make_driver(extra_flags=(), webgpu=True):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        if webgpu or "webgpu" not in flag:
            options.add_argument(flag)
    for flag in extra_flags:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.set_window_size(1200, 1000)
    driver.set_script_timeout(120)
    return driver


@pytest.fixture(scope="session")
def browser():
    driver = make_driver()
    yield driver
    driver.quit()
