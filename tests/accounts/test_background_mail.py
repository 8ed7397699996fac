"""Mail goes out from the real background worker, never from the request: a message
enqueued here is sent by `manage.py db_worker` in a process of its own, with the help
link and one-click unsubscribe headers, and a failed send is tried again later."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tasks import email_send
from tests.factories import person
from tests.worker import mails_in, run_worker_batch

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_real_worker_sends_an_enqueued_email_with_help_and_unsubscribe(tmp_path):
    member = person("Still Water")
    email_send.enqueue(user_id=member.pk, subject="You have new activity on peersupport",
                       body="Something happened.", unsubscribe_path="/u/abc/")  # fmt: skip
    assert mails_in(tmp_path) == []  # nothing is sent until the worker runs

    done = run_worker_batch(tmp_path)

    assert done.returncode == 0, done.stderr
    [message] = mails_in(tmp_path)
    assert message["To"] == member.email
    assert message["Subject"] == "You have new activity on peersupport"
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8000/u/abc/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_payload()
    assert "http://127.0.0.1:8000/help/" in body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_send_that_fails_is_tried_again_later_by_the_worker(tmp_path):
    member = person("Patient Fern")
    email_send.enqueue(user_id=member.pk, subject="You have new activity on peersupport",
                       body="Something happened.", unsubscribe_path="/u/abc/")  # fmt: skip

    # A mail server that refuses connections: the port of nothing.
    done = run_worker_batch(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT="9", SMTP_USE_TLS="0")

    assert done.returncode == 0, done.stderr
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED"
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now()
    assert mails_in(tmp_path) == []
