"""What makes the exported page an app: a web app manifest, its icons and a service worker.

After the first visit the service worker has every file of the site in the
browser's cache, so the page opens and predicts with no network; with the
manifest and its icons, a browser offers to install it. The worker lists the
site's files and a version made from their contents, so a new export (other
weights, another page) replaces the cache instead of mixing with it.
"""

import hashlib
import json
import os

from PIL import Image

MANIFEST_FILE = "manifest.webmanifest"
WORKER_FILE = "sw.js"
ICON_SIZES = (192, 512)
THEME_COLOR = "#1f2937"
# The icon: a 7 drawn on the pad, white on the header's colour.
_ICON_STROKES = [{"points": [[70, 70], [210, 70], [125, 225]], "width": 26}]
_WORKER = """// The service worker of an exported mnist-keras page: every file of the site
// is cached on install, then served from the cache first, so the page works
// offline. Written by the export, with the site's files and their version.
const VERSION = %(version)s;
const FILES = %(files)s;
const CACHE = `mnist-keras-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Caches of earlier exports served from here are left behind: remove them.
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("mnist-keras-")
                                                        && name !== CACHE)
                                      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    // ?backend=wasm and the like are the same file; the folder itself is the page.
    const cached = await cache.match(event.request, { ignoreSearch: true })
      || (event.request.mode === "navigate" ? await cache.match("index.html") : undefined);
    return cached || fetch(event.request);
  }));
});
"""


def _icon(size):
    from mnist_keras.drawing_pad import render_strokes

    # The strokes are in pad pixels; the ink becomes the mask of a white fill.
    ink = Image.fromarray(255 - render_strokes(_ICON_STROKES)).resize((size, size))
    background = Image.new("RGB", (size, size), THEME_COLOR)
    background.paste((255, 255, 255), mask=ink)
    return background


def manifest(name):
    """The web app manifest of a page that reads digits with the model `name`."""
    return {"name": f"Draw a digit · {name}", "short_name": "Digits",
            "description": "Draw a digit and a neural network reads it, offline.",
            "start_url": "./index.html", "scope": "./", "display": "standalone",
            "background_color": "#f5f6f8", "theme_color": THEME_COLOR,
            "icons": [{"src": f"icons/icon-{size}.png", "sizes": f"{size}x{size}",
                       "type": "image/png", "purpose": "any"} for size in ICON_SIZES]}


def write_offline_files(folder, name):
    """Writes the manifest, the icons and the service worker into a finished site folder.

    Call it last: the worker lists every file already in `folder`.

    Args:
        folder: the site being built.
        name: the model's name, for the app's name.
    """
    os.makedirs(os.path.join(folder, "icons"), exist_ok=True)
    for size in ICON_SIZES:
        _icon(size).save(os.path.join(folder, "icons", f"icon-{size}.png"))
    with open(os.path.join(folder, MANIFEST_FILE), "w", encoding="utf-8") as file:
        json.dump(manifest(name), file, indent=1)
    files, digest = [], hashlib.sha256()
    for root, _, names in sorted(os.walk(folder)):
        for file_name in sorted(names):
            path = os.path.join(root, file_name)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            if relative == WORKER_FILE or relative.startswith("README"):
                continue
            files.append(relative)
            digest.update(relative.encode())
            with open(path, "rb") as file:
                digest.update(file.read())
    worker = _WORKER % {"version": json.dumps(digest.hexdigest()[:16]),
                        "files": json.dumps(files, indent=1)}
    with open(os.path.join(folder, WORKER_FILE), "w", encoding="utf-8") as file:
        file.write(worker)
