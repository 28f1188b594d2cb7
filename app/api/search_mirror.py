"""The search index in memory, and the rendered results of `/v1/search`, kept current from the
change log (`app.api.mirror`), so that most searches are answered without the database.

- `index`: a copy of the index tables (`app.search.ranking.MemoryIndex`). At each poll the
  claims of the reviews changed since the last one are read again (a claim's edit reaches the
  log as changes of its published reviews), and the claim that a moved review left. With no
  change logged, a poll compares the copy's size with `search_stats` and loads it again whole
  if they differ (a change made without the log, say).
- `fragments`: each claim's rendered result (its claim and published reviews, the score left
  out), by claim id. A changed claim's fragment is dropped at the poll that reads the change; a
  fragment read from the database is kept only if no change was read meanwhile.
- `claimreview reindex` logs no change: it counts its rebuilds in `search_stats`, and a poll
  that finds a new count loads the copy again (and has the read cache forget its answers).
- Past `max_claims` indexed claims the copy is not kept (about 1.4 kB a claim: 140 MB for
  100,000) and every search goes to the database.

Searches that filter on reviews (publisher, verdict, review language, claimant) go to the
database too: the copy holds what the claims' own search documents hold.
"""

from collections.abc import Callable

from sqlalchemy import Connection

from app import metrics
from app.api.mirror import Mirror
from app.search.ranking import MemoryIndex
from app.storage import search as index_tables

MAX_FRAGMENTS = 20_000


class SearchMirror(Mirror):
    def __init__(
        self, enabled: bool, max_claims: int, on_rebuild: Callable[[], None] = lambda: None
    ) -> None:
        super().__init__(enabled and max_claims > 0)
        self.max_claims = max_claims
        self.on_rebuild = on_rebuild
        self._rebuilt = 0
        self._claim_of: dict[int, int] = {}  # each review's claim, as the copy knows it
        self.index = MemoryIndex()
        self._held = False  # the last load fitted under max_claims
        self.fragments: dict[int, bytes] = {}

    def usable(self) -> bool:
        return self._held and super().usable()

    def load(self, connection: Connection) -> None:
        size, _, self._rebuilt = index_tables.corpus_size(connection)
        # Read before the index: a review moved meanwhile is logged past the cursor read
        # first, and the next poll reads both its claims again.
        self._claim_of = index_tables.review_claims(connection)
        index = MemoryIndex()
        self._held = size <= self.max_claims
        if self._held:
            index_tables.copy_all(connection, index)
        self.index = index
        self.fragments = {}
        metrics.SEARCH_MEMORY_CLAIMS.set(len(index))

    def update(self, connection: Connection, after: int, upto: int) -> None:
        # A review moved to another claim is logged under its new claim; the claim it left
        # changed too (its document loses the review's words), with nothing logged under it.
        claims = set()
        for review_id, claim_id in index_tables.changed_reviews(connection, after, upto):
            claims.add(claim_id)
            left = self._claim_of.get(review_id)
            if left is not None and left != claim_id:
                claims.add(left)
            self._claim_of[review_id] = claim_id
        if self._held:
            index_tables.copy_into(connection, self.index, sorted(claims))
            if len(self.index) > self.max_claims:
                self.load(connection)
            metrics.SEARCH_MEMORY_CLAIMS.set(len(self.index))
        for claim_id in claims:
            self.fragments.pop(claim_id, None)

    def agrees(self, connection: Connection) -> bool:
        docs, length, rebuilt = index_tables.corpus_size(connection)
        if rebuilt != self._rebuilt:
            self.on_rebuild()  # answers kept by the read cache may have changed too
            return False
        if not self._held:  # load it if it fits now
            return docs > self.max_claims
        return (docs, length) == (len(self.index), self.index.length)

    def keep(self, generation: int, rendered: dict[int, bytes]) -> None:
        """Fragments rendered from what was read under `generation`. The poller drops
        fragments from another thread: the dict is changed key by key, never iterated."""
        if generation != self.generation or not self.usable():
            return
        if len(self.fragments) + len(rendered) > MAX_FRAGMENTS:
            self.fragments = {}
        for claim_id, fragment in rendered.items():
            self.fragments[claim_id] = fragment
