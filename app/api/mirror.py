"""What an instance keeps in memory of the database, current with the change log: the rule that
the known addresses (`app.api.known_addresses`) and the search index (`app.api.search_mirror`)
share with the read cache (`app.api.read_cache`).

- Loaded whole at the first poll; at each later poll of the change log, what changed since the
  last one is read again. Every public change reaches the log in its transaction, and the log's
  cursor grows in commit order, so nothing is skipped.
- This instance's commits make the copy unusable until a poll that began after them has caught
  up (about `POLL_SECONDS`): a writer always finds its own write.
- When the poller has not caught up for `STALE_SECONDS`, the copy is not used: another
  instance's write is seen at most about a second late, never later.
"""

import threading
import time

from sqlalchemy import Connection

from app.storage import repositories as repo

STALE_SECONDS = 1.0
# Past this many changes since the last poll, the copy is loaded again whole (one scan instead
# of a join over a long stretch of the log).
RELOAD_AFTER_CHANGES = 50_000


class Mirror:
    """A copy kept current from the change log; subclasses say what they copy."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.cursor: int | None = None  # the changes up to here are in the copy
        # Moved by this instance's commits and by every change a poll reads: what was read
        # from the database under another generation may be older than the copy.
        self.generation = 0
        self._commits = 0
        self._loaded = False
        self._current = False  # caught up with every commit of this instance
        self._fresh_until = 0.0
        self._working = threading.Lock()
        self._counting = threading.Lock()

    def usable(self) -> bool:
        return self._loaded and self._current and time.monotonic() < self._fresh_until

    def committed(self) -> None:
        """This instance committed a write: unusable until a later poll has read it. Request
        threads commit side by side: the count is moved under a lock, so that no commit is
        lost and a poll that began before one never passes for having read it."""
        with self._counting:
            self._commits += 1
            self.generation += 1
            self._current = False

    def _advance(self) -> None:
        with self._counting:
            self.generation += 1

    def reset(self) -> None:
        """The database was emptied or restored: load the copy again whole at the next poll."""
        self.committed()
        self._loaded = False

    def catch_up(self, connection: Connection) -> int | None:
        """One poll (in a worker thread): read the change log's newest cursor and what changed
        since the last poll. Returns that cursor. A poll that finds the previous one still at
        work (a first load of a large table outlasts the poller's time-out) leaves the copy to
        it."""
        if not self._working.acquire(blocking=False):
            return repo.latest_cursor(connection)
        try:
            return self._catch_up(connection)
        finally:
            self._working.release()

    def _catch_up(self, connection: Connection) -> int | None:
        commits = self._commits
        latest = repo.latest_cursor(connection)
        if not self.enabled:
            return latest
        if not self._loaded or (
            latest is not None
            and (
                self.cursor is None
                or latest < self.cursor  # the log was emptied (a restore, a test's reset)
                or latest - self.cursor > RELOAD_AFTER_CHANGES
            )
        ):
            # Whatever commits after `latest` was read has a greater cursor: the next poll
            # reads it again, even if this load saw it already.
            self.load(connection)
            self._loaded = True
            self._advance()
        elif latest is not None and latest != self.cursor:
            self.update(connection, self.cursor if self.cursor is not None else 0, latest)
            self._advance()
        elif not self.agrees(connection):
            self.load(connection)
            self._advance()
        self.cursor = latest
        with self._counting:
            if commits == self._commits:
                self._current = True
        self._fresh_until = time.monotonic() + STALE_SECONDS
        return latest

    def load(self, connection: Connection) -> None:
        raise NotImplementedError

    def update(self, connection: Connection, after: int, upto: int) -> None:
        raise NotImplementedError

    def agrees(self, connection: Connection) -> bool:
        """With no change logged since the last poll: whether the copy still matches what it
        copies (a cheap check; True when there is none)."""
        return True
