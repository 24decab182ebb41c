"""Running the real troupe IPC test server for the tests.

The server binary comes from the environment variable ``TROUPE_IPC_TEST_SERVER``.
Without it the server tests fail (they are never skipped): they exist to check
this client against the real server.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import unittest
import uuid
from typing import ClassVar, List, Optional, Sequence

from troupe_ipc import msgpack_available

SERVER_ENV = "TROUPE_IPC_TEST_SERVER"
#: Seconds allowed for the server to print its ``listening`` line.
STARTUP_TIMEOUT = 15.0
#: Seconds allowed for the server to exit after SIGTERM.
STOP_TIMEOUT = 15.0
#: Default timeout of the clients the tests make.
CLIENT_TIMEOUT = 10.0


def server_binary() -> str:
    """The test server's path, or an AssertionError saying how to provide it."""
    path = os.environ.get(SERVER_ENV)
    if not path:
        raise AssertionError(
            f"{SERVER_ENV} is not set. These tests run against the real troupe IPC test server "
            "and are never skipped: build it and run e.g. "
            f"{SERVER_ENV}=build/release/ipc/tests/troupe_ipc_test_server "
            "python3 -m unittest discover -s clients/python/tests -t clients/python"
        )
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise AssertionError(f"{SERVER_ENV}={path!r} is not an executable file")
    return os.path.abspath(path)


def require_msgpack() -> None:
    """Fail (never skip) when the msgpack module is missing."""
    if not msgpack_available():
        raise AssertionError(
            "the MessagePack tests need the msgpack module, which this Python cannot import "
            "(apt-get install python3-msgpack for the system python3, or pip install msgpack)"
        )


def unique(prefix: str) -> str:
    """A string no other test uses, e.g. for my-service keys."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class ServerProcess:
    """One run of the test server on a socket in a fresh temporary directory."""

    def __init__(self, args: Sequence[str] = ()) -> None:
        self.args = list(args)
        self.tmpdir = tempfile.mkdtemp(prefix="troupe-ipc-py-")
        self.socket_path = os.path.join(self.tmpdir, "test.sock")
        self._stderr_path = os.path.join(self.tmpdir, "server.stderr")
        self._lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self.stdout_lines: List[str] = []
        self.proc: Optional[subprocess.Popen] = None
        self._final_stderr: Optional[str] = None

    def start(self) -> "ServerProcess":
        """Start the server and wait (bounded) for its ``listening PATH`` line."""
        command = [server_binary(), "--socket", self.socket_path, *self.args]
        with open(self._stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
            )
        threading.Thread(target=self._pump_stdout, name="test-server-stdout", daemon=True).start()
        expected = f"listening {self.socket_path}"
        try:
            line = self._lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            self.kill()
            raise AssertionError(
                f"the test server printed no line within {STARTUP_TIMEOUT} s; command {command}; "
                f"stderr: {self.stderr()!r}"
            ) from None
        if line is None:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
            raise AssertionError(
                f"the test server exited with code {code} before listening; command {command}; "
                f"stderr: {self.stderr()!r}"
            )
        if line != expected:
            self.kill()
            raise AssertionError(f"the test server's first line was {line!r}, expected {expected!r}")
        return self

    def _pump_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.stdout_lines.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def stderr(self) -> str:
        """What the server wrote on stderr so far (last 4000 characters)."""
        if self._final_stderr is not None:
            return self._final_stderr
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def terminate(self) -> None:
        """Send SIGTERM (graceful shutdown) without waiting."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for the server to exit; kill it and fail if it takes longer than ``timeout``."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the test server did not exit within {timeout} s of SIGTERM") from None

    def stop(self) -> int:
        """SIGTERM, wait, clean up; return the exit code."""
        try:
            self.terminate()
            return self.wait()
        finally:
            self.cleanup()

    def kill(self) -> None:
        """Kill the server (only on a failure path) and clean up."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.cleanup()

    def cleanup(self) -> None:
        if self._final_stderr is None:
            self._final_stderr = self.stderr()
        if self.proc is not None and self.proc.stdout is not None and self.proc.poll() is not None:
            self.proc.stdout.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


class _ServerFixture:
    """Class-level fixture: one server for all tests of the class, stopped with SIGTERM."""

    #: Extra command-line arguments for the server of this class.
    server_args: ClassVar[Sequence[str]] = ()
    server: ClassVar[ServerProcess]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()  # type: ignore[misc]
        server = ServerProcess(cls.server_args)
        try:
            server.start()
        except BaseException:
            server.kill()
            raise
        cls.server = server

    @classmethod
    def tearDownClass(cls) -> None:
        code = cls.server.stop()
        super().tearDownClass()  # type: ignore[misc]
        if code != 0:
            raise AssertionError(
                f"the test server exited with code {code} after SIGTERM, expected 0; "
                f"stderr: {cls.server.stderr()!r}"
            )


class ServerTestCase(_ServerFixture, unittest.TestCase):
    """A TestCase with a running test server in ``self.server``."""


class AsyncServerTestCase(_ServerFixture, unittest.IsolatedAsyncioTestCase):
    """An IsolatedAsyncioTestCase with a running test server in ``self.server``."""
