"""The `troupe` command-line tool against the IPC test server.

Environment: TROUPE_CLI (the troupe binary) and TROUPE_IPC_TEST_SERVER (the test server
program). Run with `python3 -m unittest -v cli_test` from this folder.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

CLI = os.environ.get("TROUPE_CLI", "")
SERVER = os.environ.get("TROUPE_IPC_TEST_SERVER", "")
LIMIT = 20  # seconds any one CLI run or wait may take


def read_line(stream, deadline):
    """One line from a pipe, or None if none comes before the deadline (time.monotonic)."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([stream], [], [], left)
        if ready:
            return stream.readline()


@unittest.skipUnless(CLI and SERVER, "TROUPE_CLI and TROUPE_IPC_TEST_SERVER must be set")
class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="troupe-cli-")
        cls.socket = os.path.join(cls.dir, "test.sock")
        cls.server = subprocess.Popen(
            [SERVER, "--socket", cls.socket], stdout=subprocess.PIPE, text=True
        )
        line = read_line(cls.server.stdout, time.monotonic() + LIMIT)
        if line != "listening %s\n" % cls.socket:
            cls.server.kill()
            raise RuntimeError("the test server did not start: %r" % line)

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        try:
            code = cls.server.wait(LIMIT)
        finally:
            if cls.server.poll() is None:
                cls.server.kill()
            cls.server.stdout.close()
            shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0, "the test server exited with %d" % code

    def troupe(self, *args, env=None):
        return subprocess.run(
            [CLI, *args], capture_output=True, text=True, timeout=LIMIT, env=env
        )

    def ipc(self, *args):
        return self.troupe("ipc", *args, "--socket", self.socket)

    def ok(self, *args):
        r = self.ipc(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def usage_error(self, *args):
        r = self.troupe(*args)
        self.assertEqual(r.returncode, 2, (r.stdout, r.stderr))
        self.assertEqual(r.stdout, "")
        return r.stderr

    # --- help and bad usage --------------------------------------------------------------

    def test_help(self):
        r = self.troupe("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: troupe", r.stdout)
        r = self.troupe("ipc", "--help")
        self.assertEqual(r.returncode, 0)
        for command in ("discover", "call", "send", "stream", "subscribe", "ping"):
            self.assertIn(command, r.stdout)

    def test_bad_usage_says_what_was_wrong(self):
        self.assertIn("missing an area", self.usage_error())
        self.assertIn('unknown area "frob"', self.usage_error("frob"))
        self.assertIn("missing a command", self.usage_error("ipc"))
        self.assertIn('unknown command "frob"', self.usage_error("ipc", "frob"))
        self.assertIn("call takes 2 or 3 arguments, got 1", self.usage_error("ipc", "call", "echo"))
        self.assertIn("not valid JSON", self.usage_error("ipc", "call", "echo", "Echo", "{x"))
        self.assertIn("unknown option --frob", self.usage_error("ipc", "ping", "--frob"))
        self.assertIn("--timeout needs a whole number", self.usage_error("ipc", "ping", "--timeout", "x"))
        self.assertIn("--socket needs a value", self.usage_error("ipc", "ping", "--socket"))
        self.assertIn("--count applies to", self.usage_error("ipc", "discover", "--count", "2"))

    # --- commands ------------------------------------------------------------------------

    def test_discover(self):
        d = json.loads(self.ok("discover"))
        self.assertEqual(d["protocol_version"]["current"], 2)
        names = [a["name"] for a in d["actors"]]
        self.assertEqual(names, sorted(names))
        self.assertIn({"name": "echo", "message_types": ["Echo"]}, d["actors"])
        self.assertIn("Tick", d["message_types"])
        self.assertNotIn("correlation_id", d)

    def test_call_prints_the_reply_as_json(self):
        for fmt in ([], ["--msgpack"]):
            out = self.ok("call", "echo", "Echo", '{"text": "héllo"}', *fmt)
            self.assertEqual(json.loads(out), {"text": "héllo"})
            self.assertEqual(json.loads(self.ok("call", "counter", "Count", '{"n": 3}', *fmt)), [1, 2, 3])
        self.assertEqual(self.ok("call", "my-service", "GetValue", '{"key": "never"}'), "null\n")

    def test_send_is_fire_and_forget(self):
        self.assertEqual(
            json.loads(self.ok("send", "my-service", "SetValue", '{"key": "cli", "value": 5}')),
            {"status": "delivered"},
        )
        self.assertEqual(json.loads(self.ok("call", "my-service", "GetValue", '{"key": "cli"}')), 5)

    def test_stream_prints_one_line_per_item(self):
        for fmt in ([], ["--msgpack"]):
            out = self.ok("stream", "counter", "Count", '{"n": 4}', *fmt)
            self.assertEqual([json.loads(l) for l in out.splitlines()], [1, 2, 3, 4])

    def test_ping(self):
        self.assertRegex(self.ok("ping"), r"^pong from .*: [0-9.]+ ms\n$")
        self.assertEqual(len(self.ok("ping", "--count", "3").splitlines()), 3)

    def test_the_socket_can_come_from_the_environment(self):
        env = dict(os.environ, TROUPE_IPC_SOCKET=self.socket)
        r = self.troupe("ipc", "call", "echo", "Echo", '{"text": "env"}', env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {"text": "env"})

    @staticmethod
    def reap(p):
        if p.poll() is None:
            p.kill()
        p.wait()
        p.stdout.close()
        p.stderr.close()

    def subscriber(self, *args):
        p = subprocess.Popen(
            [CLI, "ipc", "subscribe", "Tick", "--socket", self.socket, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(self.reap, p)
        line = read_line(p.stderr, time.monotonic() + LIMIT)
        self.assertEqual(line, "subscribed: Tick\n")
        return p

    def test_subscribe_prints_pushes_then_exits_after_count(self):
        p = self.subscriber("--count", "3")
        self.assertEqual(self.ok("call", "publisher", "Emit", '{"n": 5}'), "5\n")
        self.assertEqual(p.wait(LIMIT), 0)
        pushes = [json.loads(l) for l in p.stdout.read().splitlines()]
        self.assertEqual([x["payload"] for x in pushes], [{"seq": 1}, {"seq": 2}, {"seq": 3}])
        self.assertTrue(all(x["message_type"] == "Tick" for x in pushes))
        self.assertTrue(all(x["source_actor"] == "publisher" for x in pushes))

    def test_subscribe_runs_until_interrupted(self):
        p = self.subscriber()
        self.ok("call", "publisher", "Emit", '{"n": 1}')
        line = read_line(p.stdout, time.monotonic() + LIMIT)
        self.assertEqual(json.loads(line)["payload"], {"seq": 1})
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(LIMIT), 0)

    # --- errors --------------------------------------------------------------------------

    def failing(self, code, *args):
        r = self.ipc(*args)
        self.assertEqual(r.returncode, 1, (r.stdout, r.stderr))
        self.assertEqual(r.stdout, "")
        self.assertTrue(r.stderr.startswith("error: %s: " % code), r.stderr)
        return r.stderr

    def test_errors_exit_1_with_the_code_and_message(self):
        self.assertIn('"nobody"', self.failing("ACTOR_NOT_FOUND", "call", "nobody", "Echo", "{}"))
        self.failing("ACTOR_NOT_FOUND", "send", "nobody", "Echo", "{}")
        self.failing("ACTOR_NOT_FOUND", "stream", "nobody", "Count", '{"n": 1}')
        self.failing("UNKNOWN_MESSAGE_TYPE", "call", "echo", "Sleep", '{"ms": 1}')
        self.failing("SERIALIZATION_ERROR", "call", "echo", "Echo", '{"text": 5}')
        self.failing("TIMEOUT", "call", "slow", "Sleep", '{"ms": 3000}', "--timeout", "100")
        self.failing("HANDLER_FAILED", "call", "flaky", "Crash", "{}")
        self.failing("UNKNOWN_MESSAGE_TYPE", "subscribe", "NoSuchType")

    def test_no_server_is_an_io_error(self):
        r = self.troupe("ipc", "ping", "--socket", os.path.join(self.dir, "none.sock"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("IO_ERROR", r.stderr)
        self.assertIn("none.sock", r.stderr)


if __name__ == "__main__":
    unittest.main()
