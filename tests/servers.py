"""Starting and stopping real server processes for tests (daphne or uvicorn on
loopback)."""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

STOP_TIMEOUT = 5


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


BASE_DIR = Path(__file__).resolve().parent.parent


def start_server(env: dict, log_path: Path, *, kind: str = "daphne") -> subprocess.Popen:
    """The ASGI app under daphne or uvicorn on a free port (the process's `.port`),
    logging to log_path. Stop it with stop()."""
    port = free_port()
    if kind == "daphne":
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                   "peersupport.asgi:application"]  # fmt: skip
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
