"""Folders that refuse writes for real: read-only, and full (0 bytes free).

A read-only folder is made with its permission bits, or, for root (whom
permission bits do not stop), with the file system's immutable attribute. A
full folder is a tiny tmpfs mounted there and filled. Where the machine allows
neither (no root, no `chattr`), the test that needs one fails with the
reason: it never passes unchecked (CI runs as root, where both work).
"""

import contextlib
import os
import subprocess

import pytest


def _writable(folder):
    probe = os.path.join(folder, ".write-probe")
    try:
        with open(probe, "w"):
            pass
    except OSError:
        return False
    os.remove(probe)
    return True


@contextlib.contextmanager
def read_only(folder):
    """Makes the existing `folder` refuse new files and changes while the block runs."""
    folder = os.fspath(folder)
    mode = os.stat(folder).st_mode
    os.chmod(folder, 0o555)
    immutable = False
    try:
        if _writable(folder):
            immutable = subprocess.run(["chattr", "+i", folder],
                                       capture_output=True).returncode == 0
            if not immutable or _writable(folder):
                pytest.fail("this machine cannot make a folder read-only for this user "
                            "(permission bits do not stop root, and chattr +i failed)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", folder], check=True)
        os.chmod(folder, mode)


@contextlib.contextmanager
def full(folder):
    """Mounts a tiny file system at the (empty) `folder`, filled to 0 bytes free."""
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder],
                             capture_output=True)
    if mounted.returncode:
        pytest.fail("this machine cannot mount a small file system for a full-disk "
                    f"test: {mounted.stderr.decode(errors='replace').strip()[:200]}")
    try:
        with open(os.path.join(folder, ".filler"), "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        yield folder
    finally:
        subprocess.run(["umount", "-l", folder], check=True)
