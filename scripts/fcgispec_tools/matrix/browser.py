"""Headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: Chromium reads NUL-terminated JSON commands on
fd 3 and writes replies and events on fd 4). Standard library only."""
import base64
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One browser with one page; use as a context manager."""

    def __init__(self, binary="chromium", width=1400, height=1000,
                 timeout=30.0):
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="matrix-chromium-")
        self.log = tempfile.TemporaryFile()
        cmd_read, self.cmd_write = os.pipe()
        self.reply_read, reply_write = os.pipe()
        # Chromium's ends move to fds >= 10 so that bash can put them on
        # 3 and 4 without overwriting one with the other.
        child_ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                      for fd in (cmd_read, reply_write)]
        os.close(cmd_read)
        os.close(reply_write)
        wiring = f'exec "$0" "$@" 3<&{child_ends[0]} 4>&{child_ends[1]}'
        self.proc = subprocess.Popen(
            ["bash", "-c", wiring, binary, *FLAGS,
             f"--user-data-dir={self.profile.name}",
             f"--window-size={width},{height}", "about:blank"],
            pass_fds=child_ends, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self.log)
        for fd in child_ends:
            os.close(fd)
        self.buffer = b""
        self.next_id = 0
        self.session = None
        try:
            target = self.call("Target.createTarget", url="about:blank")
            self.session = self.call("Target.attachToTarget", flatten=True,
                                     targetId=target["targetId"])["sessionId"]
            self.resize(width, height)
        except BaseException:
            self.close()
            raise

    def resize(self, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width,
                  height=height, deviceScaleFactor=1, mobile=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("no reply from Chromium in time")
            ready, _, _ = select.select([self.reply_read], [], [], left)
            if ready:
                chunk = os.read(self.reply_read, 1 << 16)
                if not chunk:
                    self.log.seek(0)
                    said = self.log.read().decode(errors="replace")
                    raise BrowserError(
                        f"Chromium closed its DevTools pipe: {said[-500:]}")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, **params):
        """Sends one command (to the page once attached) and returns its
        result; events that arrive meanwhile are dropped."""
        self.next_id += 1
        command = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            command["sessionId"] = self.session
        os.write(self.cmd_write, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") != self.next_id:
                continue
            if "error" in reply:
                raise BrowserError(f"{method}: {reply['error']}")
            return reply["result"]

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", expression=expression,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url):
        """Loads URL and waits until its scripts have run."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState + ' ' + location.href") \
                != f"complete {url}":
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not finish loading")
            time.sleep(0.05)

    def click(self, selector):
        """A real mouse click in the middle of the first element matching
        SELECTOR (scrolled into view first)."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        if box is None:
            raise BrowserError(f"nothing matches {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0],
                      y=box[1], button="left", clickCount=1)

    def screenshot(self):
        """PNG bytes of the viewport."""
        return base64.b64decode(
            self.call("Page.captureScreenshot", format="png")["data"])

    def close(self):
        if self.cmd_write is None:
            return
        if self.proc.poll() is None:
            try:
                self.session = None
                self.call("Browser.close")
            except (BrowserError, OSError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.cmd_write)
        os.close(self.reply_read)
        self.cmd_write = self.reply_read = None
        self.log.close()
        self.profile.cleanup()
