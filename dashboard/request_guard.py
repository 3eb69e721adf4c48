"""Only this machine's own pages may drive the dashboard, with bodies of bounded size.

A local server is reachable from any web page the user opens: a page cannot
read the answers of another origin, but it can send requests, and a domain
that re-resolves to 127.0.0.1 (DNS rebinding) makes its requests look local.
Two checks stop both, as Jupyter does:

- the `Host` header must name this machine (`localhost`, `127.0.0.1`, `::1`),
  the address the server was bound to, or a name allowed with `--allow-host`;
- a request that carries an `Origin` (browsers send one with every POST, so
  with every callback) must come from the page's own host and port.

Requests without an `Origin` (scripts, `curl`) are let through: no other
page can send one without it. Bodies over the limit are refused with 413
before they are read.
"""

import ipaddress
import urllib.parse

import flask

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})


def allowed_hosts(bind_host="127.0.0.1", extra=()):
    """The host names requests may address: loopback, the bound address, and `extra`.

    Args:
        bind_host: the address the server listens on; a wildcard (`0.0.0.0`)
            adds nothing, so remote use needs its names in `extra`.
        extra: further names or addresses (`--allow-host`).

    Returns:
        A frozenset of lower-case names.

    >>> sorted(allowed_hosts("0.0.0.0", ["Lab-PC"]))
    ['127.0.0.1', '::1', 'lab-pc', 'localhost']
    """
    hosts = set(LOOPBACK_NAMES)
    if bind_host not in WILDCARD_ADDRESSES:
        hosts.add(bind_host.lower())
    hosts.update(name.strip().lower() for name in extra if name.strip())
    return frozenset(hosts)


def host_name(host_header):
    """The name in a `Host` header or an origin's netloc, without port or brackets.

    >>> host_name("[::1]:8050"), host_name("LOCALHOST:8050"), host_name("evil.example")
    ('::1', 'localhost', 'evil.example')
    """
    if not host_header:
        return ""
    try:
        name = urllib.parse.urlsplit(f"//{host_header}").hostname or ""
    except ValueError:  # a malformed port or bracket
        return ""
    return name.lower()


def is_allowed_request(host_header, origin, hosts):
    """Whether a request with these headers may be served.

    Args:
        host_header: the request's `Host` header.
        origin: its `Origin` header, or None when it has none.
        hosts: the names from `allowed_hosts`.

    Returns:
        `(allowed, reason)`: the reason says why a request is refused.
    """
    name = host_name(host_header)
    if name not in hosts and not _is_loopback_address(name):
        return False, (f"Host {host_header[:100]!r} is not this dashboard's; start it with "
                       f"--allow-host NAME to serve it under another name.")
    if origin is not None:
        parts = urllib.parse.urlsplit(origin) if origin != "null" else None
        if parts is None or parts.netloc.lower() != host_header.lower():
            return False, f"Requests from another page ({origin[:100]!r}) are not served."
    return True, ""


def _is_loopback_address(name):
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def install(server, hosts, max_body_bytes):
    """Checks every request to the Flask `server` before it is handled.

    Args:
        server: the Flask app (`dash_app.server`).
        hosts: the names from `allowed_hosts`.
        max_body_bytes: the largest request body read; larger ones get 413.
    """
    server.config["MAX_CONTENT_LENGTH"] = max_body_bytes

    @server.before_request
    def refuse_foreign_requests():
        allowed, reason = is_allowed_request(flask.request.host,
                                             flask.request.headers.get("Origin"), hosts)
        if not allowed:
            return flask.Response(reason + "\n", status=403, mimetype="text/plain")
        return None
