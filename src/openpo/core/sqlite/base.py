"""SQLite with a fair queue for write transactions: Django's backend plus a file lock.

SQLite lets one writer in at a time. A writer that finds the lock taken sleeps in SQLite's
busy handler (1, 2, 5, 10 … 100 ms) and looks again; in a war PO a dozen buyers' threads
sleep past the moment the lock comes free, and the last ones wait longest by chance. Here
each transaction first takes an exclusive `flock` on a file beside the database (`<db>.lock`),
one open file per connection: waiters block in the kernel and the next one goes on the
moment the lock is let go, whether it was held in this process or another. The lock is let
go after COMMIT or ROLLBACK and when the connection closes. `BEGIN IMMEDIATE` and the busy
timeout still guard against writers outside the queue (autocommit statements, other tools).

ENGINE `openpo.core.sqlite`; the settings use it for every SQLite database but an in-memory one.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_fd: int | None = None
    _queued = False

    def _queue_file(self) -> int | None:
        if self.is_in_memory_db():
            return None
        if self._queue_fd is None:
            path = f"{self.settings_dict['NAME']}.lock"
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._queue_fd

    def _start_transaction_under_autocommit(self) -> None:
        fd = self._queue_file()
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits in the kernel, without the GIL
            self._queued = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _leave_queue(self) -> None:
        if self._queued and self._queue_fd is not None:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
