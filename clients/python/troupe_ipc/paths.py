"""Where a troupe application's IPC socket lives.

The default path of application ``<app>`` is ``$XDG_RUNTIME_DIR/troupe/<app>.sock``
when ``XDG_RUNTIME_DIR`` is set, else ``/tmp/troupe-<uid>/<app>.sock``.  The
environment variable ``TROUPE_IPC_SOCKET`` (a full path) overrides that default.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional, Union

__all__ = ["SOCKET_ENV_VAR", "default_socket_path", "resolve_socket_path"]

#: Environment variable holding a full socket path that overrides the default.
SOCKET_ENV_VAR = "TROUPE_IPC_SOCKET"

PathLike = Union[str, "os.PathLike[str]"]


def default_socket_path(app: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """Return the default socket path of application ``app``.

    This is the path the server uses when it is not given one; it does not look
    at ``TROUPE_IPC_SOCKET`` (see :func:`resolve_socket_path` for that).
    """
    if not isinstance(app, str) or not app:
        raise ValueError(f"application name must be a non-empty string, got {app!r}")
    if "/" in app or app in (".", ".."):
        raise ValueError(f"application name {app!r} must not contain '/' or be '.' or '..'")
    env = os.environ if environ is None else environ
    runtime_dir = env.get("XDG_RUNTIME_DIR")
    if runtime_dir:
        return os.path.join(runtime_dir, "troupe", f"{app}.sock")
    return os.path.join("/tmp", f"troupe-{os.getuid()}", f"{app}.sock")


def resolve_socket_path(
    path: Optional[PathLike] = None,
    app: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> str:
    """Pick the socket to connect to.

    Order: an explicit ``path``; else ``TROUPE_IPC_SOCKET``; else the default
    path of ``app``.  Raises ``ValueError`` when none of them is available.
    """
    if path is not None:
        return os.fspath(path)
    env = os.environ if environ is None else environ
    override = env.get(SOCKET_ENV_VAR)
    if override:
        return override
    if app is None:
        raise ValueError(
            "no socket to connect to: pass path=..., pass app=... to use the default "
            f"path of that application, or set {SOCKET_ENV_VAR}"
        )
    return default_socket_path(app, env)
