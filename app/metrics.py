"""The service's Prometheus metrics, defined once and shared by the HTTP layer, the importer and
the webhook deliverer. With several worker processes, set PROMETHEUS_MULTIPROC_DIR (an empty
directory, the same for every process) and `/metrics` adds up all of them (prometheus-client's
multiprocess mode); gauges then sum over the live processes."""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "claimreview_http_requests",
    "HTTP requests answered, by route template (never a raw id), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "claimreview_http_request_duration_seconds",
    "Time from receiving a request to the end of its answer.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_RUNNING = Gauge(
    "claimreview_db_requests_running",
    "Requests admitted to work on the database now.",
    multiprocess_mode="livesum",
)
DB_WAITING = Gauge(
    "claimreview_db_requests_waiting",
    "Requests waiting in the admission queue for the database.",
    multiprocess_mode="livesum",
)
SEARCH_MEMORY_CLAIMS = Gauge(
    "claimreview_search_memory_claims",
    "Claims in the copy of the search index held in memory (0: searches go to the database).",
    multiprocess_mode="max",
)
POOL_IN_USE = Gauge(
    "claimreview_db_pool_connections_in_use",
    "Database connections checked out of the pool (read when /metrics is scraped).",
    multiprocess_mode="livesum",
)
UNAVAILABLE = Counter(
    "claimreview_unavailable_responses",
    "503 answers, by reason (queue: admission refused; database: unreachable or timed out).",
    ["reason"],
)
RATE_LIMITED = Counter("claimreview_rate_limited_responses", "429 answers (rate limits).")
CACHE_HITS = Counter("claimreview_read_cache_hits", "GET answers served from the read cache.")
IMPORT_RECORDS = Counter(
    "claimreview_import_records",
    "Imported records by outcome (created, updated, unchanged, rejected).",
    ["outcome"],
)
WEBHOOK_DELIVERIES = Counter(
    "claimreview_webhook_delivery_attempts",
    "Webhook delivery attempts by outcome (delivered, failed).",
    ["outcome"],
)
