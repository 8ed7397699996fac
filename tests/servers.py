"""Starting and stopping real server processes for tests (daphne or uvicorn on
loopback)."""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

from chat.frames import WEBSOCKET_SERVER_MAX_BYTES

STOP_TIMEOUT = 5


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def daphne_command(port: int) -> list[str]:
    """The production command (scripts/serve), on loopback: the websocket frame limit
    is set, above the chat's own, so that a too-big message reaches the app and gets
    an error frame rather than the server's 1009 close."""
    size = str(WEBSOCKET_SERVER_MAX_BYTES)
    return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
            "--websocket-max-message-size", size, "--websocket-max-frame-size", size,
            "peersupport.asgi:application"]  # fmt: skip


def log_tail(path: Path, lines: int = 60) -> str:
    """The last lines of a server's log, for a failure message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def server_is_ready(port: int) -> bool:
    """The server answers the help page, which every deployment must serve."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/help/")
        return connection.getresponse().status == 200
    except (http.client.HTTPException, OSError):
        return False
    finally:
        connection.close()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, ppid, pgid..."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_exists(pid: int) -> bool:
    """Running or sleeping; a zombie has already stopped."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def descendants(pid: int) -> list[int]:
    """Every living process started by `pid`, and by those, and so on."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, waiting = [], [pid]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.append(child)
            waiting.append(child)
    return found


class RestartableDaphne:
    """daphne on one fixed port that a test can stop (as an outage would) and start
    again on the same port. Each start appends to the same log."""

    def __init__(self, port: int, env: dict, cwd, log_path, start_timeout: float = 40.0):
        self.port = port
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines)

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                daphne_command(self.port), cwd=self.cwd, env=self.env, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + self.start_timeout
        while not server_is_ready(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")  # fmt: skip
            if time.monotonic() > deadline:
                raise RuntimeError(f"daphne did not serve /help/ in time:\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


BASE_DIR = Path(__file__).resolve().parent.parent


def start_server(env: dict, log_path: Path, *, kind: str = "daphne") -> subprocess.Popen:
    """The ASGI app under daphne or uvicorn on a free port (the process's `.port`),
    logging to log_path. Stop it with stop()."""
    port = free_port()
    if kind == "daphne":
        command = daphne_command(port)
    else:
        command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                   "--ws", "websockets", "--lifespan", "off",
                   "peersupport.asgi:application"]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # fmt: skip
    process.port = port
    return process


def wait_until_ready(process: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while not server_is_ready(process.port):
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log_path.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"the server never served /help/:\n"
                               f"{log_path.read_text(errors='replace')}")  # fmt: skip
        time.sleep(0.1)
