"""On SQLite, write transactions queue on a file lock instead of sleeping in the busy handler."""

import fcntl
import os
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction

pytestmark = [pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]


def _queue_is_free() -> bool:
    fd = os.open(f"{connection.settings_dict['NAME']}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing lets go of a lock it took
    return True


def _write(label: str) -> None:
    User.objects.create(username=f"queue-{label}")


def test_a_transaction_holds_the_queue_until_it_commits_or_rolls_back():
    assert _queue_is_free()
    with transaction.atomic():
        _write("a")
        assert not _queue_is_free()
    assert _queue_is_free()

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        _write("b")
        raise ZeroDivisionError
    assert _queue_is_free()

    transaction.set_autocommit(False)
    _write("c")
    connection.close()  # a connection closed mid-transaction lets go too
    assert _queue_is_free()


def test_a_writer_waits_its_turn_in_the_queue_not_in_the_busy_handler():
    holding = threading.Event()
    done: dict[str, object] = {}

    def holder():
        with transaction.atomic():
            _write("holder")
            holding.set()
            time.sleep(0.4)
        done["holder_committed"] = time.monotonic()
        connections.close_all()

    def waiter():
        holding.wait()
        with connection.cursor() as cursor:
            # SQLite alone would give up after 10 ms with "database is locked".
            cursor.execute("PRAGMA busy_timeout = 10")
        try:
            with transaction.atomic():
                done["waiter_began"] = time.monotonic()
                _write("waiter")
        except Exception as exc:  # reported below
            done["error"] = exc
        connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert "error" not in done, done.get("error")
    assert done["waiter_began"] >= done["holder_committed"] - 0.01
    assert User.objects.filter(username__startswith="queue-").count() == 2
