"""Prometheus metrics of one bot process, served at ``GET /metrics`` (bot/service/web.py). They
live in the front end because its handlers, Bot API client and nudge job count into them.

Each replica counts what it did itself; Prometheus sums over replicas (``sum by (kind)
(rate(pathway_answers_total[5m]))``). Call the functions below, not the metric objects, so
the names and labels stay in one place:

================================  =============================================================
function                          metric
================================  =============================================================
``observe_answer(kind, seconds)`` ``pathway_answers_total{kind}`` and
                                  ``pathway_answer_latency_seconds`` (handler start to last
                                  message sent)
``count_update(outcome)``         ``pathway_updates_total{outcome}``: handled, duplicate
                                  (a redelivery skipped), unconfirmed (a replica died after
                                  sending for it: not handled again), failed (its handler
                                  raised: counted by the error handler), timeout (over
                                  UPDATE_TIMEOUT_SECONDS), lost (this replica lost the chat's
                                  lock; another one handled it)
``count_nudge(outcome)``          ``pathway_nudges_total{outcome}``: claimed, then one of
                                  sent, failed, blocked, deferred, unconfirmed (also a claim
                                  left "sending" by a dispatcher that died), quiet; skipped
                                  (another dispatcher holds the claim)
``count_bot_api_error(method,     ``pathway_bot_api_errors_total{method, code}``: every Bot API
code)``                           call that failed, by HTTP status (429, 400, 502...) or
                                  "timeout" / "network"
``count_webhook_request(status)`` ``pathway_webhook_requests_total{status}``: 200, 401, 503...
================================  =============================================================
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

disable_created_metrics()  # no *_created series beside every counter

ANSWERS = Counter("pathway_answers", "Replies to questions, by kind of reply", ["kind"])
ANSWER_LATENCY = Histogram(
    "pathway_answer_latency_seconds",
    "Seconds from handling a question to its last message sent",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0),
)
UPDATES = Counter("pathway_updates", "Telegram updates, by outcome", ["outcome"])
NUDGES = Counter("pathway_nudges", "Renewal nudges, by outcome", ["outcome"])
BOT_API_ERRORS = Counter(
    "pathway_bot_api_errors", "Failed Bot API calls, by method and error code", ["method", "code"]
)
WEBHOOK_REQUESTS = Counter(
    "pathway_webhook_requests", "Webhook POSTs answered, by HTTP status", ["status"]
)


def observe_answer(kind: str, seconds: float) -> None:
    ANSWERS.labels(kind=kind).inc()
    ANSWER_LATENCY.observe(seconds)


def count_update(outcome: str) -> None:
    UPDATES.labels(outcome=outcome).inc()


def count_nudge(outcome: str, n: int = 1) -> None:
    NUDGES.labels(outcome=outcome).inc(n)


def count_bot_api_error(method: str, code: int | str) -> None:
    BOT_API_ERRORS.labels(method=method, code=str(code)).inc()


def count_webhook_request(status: int) -> None:
    WEBHOOK_REQUESTS.labels(status=str(status)).inc()


def render() -> tuple[bytes, str]:
    """(body, content type) of the Prometheus text exposition."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
