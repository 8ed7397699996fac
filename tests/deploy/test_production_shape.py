"""The production shape, started by the very script a person runs (scripts/prod): nginx
in front of gunicorn and uvicorn, on the test database, checked from outside as a
browser would see it."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from websockets.sync.client import connect

from accounts.tasks import email_send
from chat.models import ChatMessage
from tests.factories import PASSWORD, add_member, make_group, person
from tests.faults import Browser
from tests.servers import descendants, free_port, process_exists
from tests.worker import mails_in

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0


class Shape:
    def __init__(self, process: subprocess.Popen, port: int, run_dir: Path, output: Path):
        self.process = process
        self.port = port
        self.run_dir = run_dir
        self.output = output

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        parts = [f"--- scripts/prod ---\n{self.output.read_text(errors='replace')}"]
        for log in sorted((self.run_dir / "logs").glob("*.log")):
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            parts.append(f"--- {log.name} ---\n{tail}")
        return "\n".join(parts)

    def access_log(self) -> str:
        time.sleep(1.2)  # nginx flushes its buffered access log every second
        return (self.run_dir / "logs" / "nginx-access.log").read_text()


def member_with_a_real_password(label: str):
    """The test settings hash with MD5 for speed; the servers run production's hashers."""
    member = person(label)
    hasher = PBKDF2PasswordHasher()
    member.password = hasher.encode(PASSWORD, hasher.salt())
    member.save(update_fields=["password"])
    return member


def start_shape(tmp_path: Path) -> Shape:
    port = free_port()
    run_dir = tmp_path / "run"
    output = tmp_path / "prod.out"
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL,
            "CHANNELS_PREFIX": f"test-{uuid.uuid4().hex}",
            # Sessions made by this test process must be readable by the servers.
            "SECRET_KEY": settings.SECRET_KEY,
        }
    )
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/prod", str(port), "--run-dir", str(run_dir), "--quiet"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    shape = Shape(process, port, run_dir, output)
    deadline = time.monotonic() + START_TIMEOUT
    while "[prod] ready on" not in output.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"scripts/prod did not get ready:\n{shape.logs()}")
        time.sleep(0.2)
    return shape


@pytest.fixture(scope="module")
def shape(django_db_setup, django_db_blocker, tmp_path_factory, request):
    shape = start_shape(tmp_path_factory.mktemp("shape"))
    yield shape
    if shape.process.poll() is None:
        shape.process.send_signal(signal.SIGTERM)
        shape.process.wait(timeout=STOP_TIMEOUT)
    if request.session.testsfailed:
        sys.stderr.write(f"\n{shape.logs()}\n")


class Visitor(Browser):
    """Someone at a browser in front of the shape (see tests/faults.Browser); `address`
    is the loopback address they come from. Answers (response, page text)."""

    def __init__(self, shape: Shape, address: str = "127.0.0.1"):
        super().__init__(shape.port, address=address)

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        response = super().request(method, path, form, headers=headers)
        return response, response.text

    def sign_in(self, email: str, password: str = PASSWORD):
        _response, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(
            "POST", "/accounts/login/",
            form={"csrfmiddlewaretoken": token, "login": email, "password": password},
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
class TestThroughNginx:
    def test_the_help_page_and_the_signed_out_home_come_through_nginx(self, shape):
        visitor = Visitor(shape)
        for path in ("/help/", "/"):
            response, page = visitor.get(path)
            assert response.status == 200, page
            assert response.headers["Server"] == "nginx"
            assert "Get help now" in page

    def test_a_member_signs_in_through_the_proxy_and_sees_a_signed_in_page(self, shape):
        member = member_with_a_real_password("Proxy Walker")
        visitor = Visitor(shape)
        response, page = visitor.sign_in(member.email)
        assert response.status == 302, page
        assert "sessionid" in visitor.cookies
        response, page = visitor.get("/groups/")
        assert response.status == 200, page
        assert member.display_name in page
        assert "no-store" in response.headers["Cache-Control"]

    def test_hashed_static_files_come_from_nginx_with_year_long_cache_headers(self, shape):
        _response, page = Visitor(shape).get("/")
        stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page).group(1)
        response, _css = Visitor(shape).get(stylesheet, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Type"].startswith("text/css")
        assert response.headers["Content-Encoding"] == "gzip"
        served = [line for line in shape.access_log().splitlines() if stylesheet in line]
        assert served
        assert all("upstream=- " in line for line in served), served  # not Django

    def test_while_the_page_server_is_away_nginx_answers_with_every_helpline(self, shape):
        web_socket = shape.run_dir / "web.sock"
        away = shape.run_dir / "web.sock.away"
        web_socket.rename(away)  # nginx can no longer reach gunicorn: as if it had died
        try:
            response, page = Visitor(shape).get("/groups/")
        finally:
            away.rename(web_socket)
        assert response.status == 502
        assert response.headers["Cache-Control"] == "no-store"
        assert "having trouble right now" in page
        assert "Nothing you posted before is lost." in page
        for number in ("tel:988", "tel:116123", "tel:131114"):  # US, UK and Ireland, Australia
            assert f'href="{number}"' in page
        stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page).group(1)
        assert Visitor(shape).get(stylesheet)[0].status == 200  # styled while away too
        assert Visitor(shape).get("/groups/")[0].status == 200  # and back

    def test_a_chat_socket_connects_through_nginx_and_exchanges_a_message(self, shape):
        member = member_with_a_real_password("Socket Friend")
        group = make_group()
        add_member(group, member, approved_post_count=10)
        visitor = Visitor(shape)
        visitor.sign_in(member.email)
        with connect(
            f"ws://127.0.0.1:{shape.port}/ws/groups/{group.slug}/chat/",
            origin=shape.origin,
            additional_headers={"Cookie": f"sessionid={visitor.cookies['sessionid']}"},
            open_timeout=15,
        ) as socket:
            assert json.loads(socket.recv(timeout=15))["type"] == "hello"
            client_msg_id = str(uuid.uuid4())
            socket.send(json.dumps({"type": "send", "client_msg_id": client_msg_id,
                                    "body": "Morning, everyone."}))  # fmt: skip
            frames = [json.loads(socket.recv(timeout=15)) for _ in range(2)]
        assert {frame["type"] for frame in frames} == {"ack", "message"}, frames
        assert ChatMessage.objects.filter(
            client_msg_id=client_msg_id, body="Morning, everyone."
        ).exists()

    def test_a_socket_opened_from_a_page_on_another_origin_is_refused(self, shape):
        member = member_with_a_real_password("Careful Guest")
        group = make_group()
        add_member(group, member, approved_post_count=10)
        visitor = Visitor(shape)
        visitor.sign_in(member.email)
        with pytest.raises(Exception, match="403"):
            connect(
                f"ws://127.0.0.1:{shape.port}/ws/groups/{group.slug}/chat/",
                origin="http://127.0.0.1:1",
                additional_headers={"Cookie": f"sessionid={visitor.cookies['sessionid']}"},
                open_timeout=15,
            )

    def test_sign_in_attempts_from_one_address_do_not_lock_out_members_elsewhere(self, shape):
        """allauth limits sign-in attempts per address (30 a minute). Behind the proxy
        the address must be the member's, not the proxy's, or one busy address locks
        everyone out."""
        member = member_with_a_real_password("Steady Oak")
        hurried = Visitor(shape, address="127.0.0.2")
        statuses = [hurried.sign_in(member.email, password="")[0].status for _ in range(31)]
        assert statuses[-1] == 429, statuses
        response, page = Visitor(shape, address="127.0.0.3").sign_in(member.email)
        assert response.status == 302, page


@pytest.mark.django_db(transaction=True)
def test_the_shapes_background_worker_runs_an_enqueued_task(shape):
    member = person("Mail Reader")
    email_send.enqueue(user_id=member.pk, subject="You have new activity on peersupport",
                       body="Shape check.", unsubscribe_path="/")  # fmt: skip
    deadline = time.monotonic() + 30
    while not [m for m in mails_in(shape.run_dir / "mail") if m["To"] == member.email]:
        assert time.monotonic() < deadline, shape.logs()
        time.sleep(0.3)


def test_stopping_the_script_leaves_no_process_behind(shape):
    started = descendants(shape.process.pid)
    assert len(started) >= 7, started  # nginx x2, gunicorn x3, uvicorn, the tick, the worker
    shape.process.send_signal(signal.SIGTERM)
    assert shape.process.wait(timeout=STOP_TIMEOUT) == 0, shape.logs()
    left = [pid for pid in started if process_exists(pid)]
    assert left == [], left
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", shape.port, timeout=2).request("GET", "/help/")
