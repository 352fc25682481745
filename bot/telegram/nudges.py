"""Renewal nudges: which are due for whom at an instant, and sending each at most once.

One code path, two ways to run it: the bot's JobQueue job calls `dispatch` every few minutes,
and `python -m bot nudges dispatch` calls it once for cron-style schedulers.

A nudge is claimed in the database before it is sent. What happens to the claim depends on
what the send proves: delivered ("sent"); surely not delivered (connection refused, DNS
failure, an error response such as 5xx or 429): given back for a retry with backoff; maybe
delivered (a timeout after the request went out): kept as "unconfirmed", never sent twice,
while later milestones still come. Quiet hours are checked again right before each send.

A tick reads only the credential rows whose ``next_nudge_due`` has come (an index range, in
batches of :data:`BATCH_SIZE`, keyset-paginated), never every user. Each row it reads either
yields a nudge, whose claim and send compute the row's next due time again, or is moved on to
its next due time. A row that fails on its data (a credential key no longer known, data the
rules cannot handle) is logged and moved :data:`BAD_ROW_RETRY` on; a row that fails on the
database or the network (a dropped connection, a timeout) stays due for the next tick. The rows
after it go ahead.

At most once: a nudge is claimed ("claimed"), then recorded as "sending" right before the send,
then settled. A claim left "claimed" (the dispatcher died before sending) is taken over after
STALE_CLAIM_AFTER; one left "sending" (it died during or after the send, or could not record
the outcome) is never sent again: it is settled as "unconfirmed", logged and counted. A send
is bounded by :data:`SEND_LIMIT` (the rate limiter's sleeps on repeated 429s included), well
inside STALE_CLAIM_AFTER. A tick stops between nudges when asked to (``stop``: SIGTERM).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import exc as sa_exc
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.ce import credentials as ce_credentials
from bot.ce import rules as ce_rules
from bot.ce.timing import (
    STALE_CLAIM_AFTER,
    blocked_keys,
    due_milestone,
    held_by_quiet,
    in_quiet_hours,
    local_now,
    next_send_time,
    resolve_timezone,
)
from bot.settings import Settings
from bot.storage.nudges import DueCredential
from bot.storage.store import Storage
from bot.telegram import metrics
from bot.telegram.formatting import esc

log = logging.getLogger(__name__)

#: Due credential rows read per query.
BATCH_SIZE = 500
#: A row that could not be handled is tried again this much later (not on every tick).
BAD_ROW_RETRY = dt.timedelta(days=1)
#: The longest one send may take, the rate limiter's waits on 429s included; then it is
#: "unconfirmed". Far inside STALE_CLAIM_AFTER, so no claim is ever stale while it is sent.
SEND_LIMIT = dt.timedelta(minutes=2)
#: Attempts at recording a send's outcome (a database blip must not leave it "sending").
FINISH_ATTEMPTS = 4
FINISH_BACKOFF = 0.5  # seconds before the second attempt, doubled after each

assert SEND_LIMIT < STALE_CLAIM_AFTER / 2


def transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure of the database or the network, not of the row's data: a
    dropped or refused connection, a timeout, a lock or serialization conflict."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError,
                        sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True
    return isinstance(exc, (OSError, TimeoutError, ConnectionError))


@dataclass(frozen=True)
class DueNudge:
    user_id: int
    chat_id: int
    credential: str
    expiration: dt.date
    milestone: str
    text: str  # HTML
    timezone: str | None = None  # the user's IANA zone, for quiet hours at send time


@dataclass(frozen=True)
class DispatchResult:
    nudge: DueNudge
    # sent | skipped (claimed elsewhere) | blocked | failed (rejected for good) |
    # unconfirmed (maybe delivered: not resent) | deferred (not delivered: retried later) |
    # quiet (quiet hours began before it went out: sent at 08:00 local) | dry-run |
    # error (an unexpected failure, logged; a claim it left is taken over after 10 minutes)
    outcome: str


def nudge_text(milestone: str, status: ce_rules.CEStatus) -> str:
    """The nudge message (HTML) for a milestone, from the user's CE status that day."""
    cred = status.credential
    exp = status.expiration.strftime("%B %-d, %Y")
    if milestone == "expired":
        days_ago = -status.days_to_expiration
        when = "expires today" if days_ago <= 0 else (
            f"expired on {exp} ({days_ago} day{'s' if days_ago != 1 else ''} ago)"
        )
        head = f"⏰ Your {esc(cred.name)} {when}" + (f" ({exp})." if days_ago <= 0 else ".")
        body = [esc(cred.reinstatement)]
    else:
        days = status.days_to_expiration
        when = "tomorrow" if days == 1 else f"in {days} days"
        head = f"⏰ Your {esc(cred.name)} expires {when} ({exp})."
        body = []
        opens = status.renewal_window_opens
        if milestone == "window" and opens:
            today = status.expiration - dt.timedelta(days=days)
            body.append("Your renewal window is open from today." if opens == today else
                        f"Your renewal window has been open since {opens:%B %-d, %Y}.")
    if status.complete:
        body.append("<b>You're complete — submit your renewal.</b>")
    else:
        body.append("<b>Still needed:</b> " + esc("; ".join(status.missing)) + ".")
    body.append(esc(status.next_step))
    if status.notes:
        body.append(f"<i>{esc(status.notes[0])}</i>")
    body.append(f"Confirm with {esc(cred.body)}: {esc(cred.confirm_at)} · /ce status for details")
    return "\n\n".join([head, *body])


def nudge_keyboard(credential: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [
            InlineKeyboardButton("Snooze 1 day", callback_data=f"snz:1:{credential}"),
            InlineKeyboardButton("Snooze 1 week", callback_data=f"snz:7:{credential}"),
        ],
        [InlineKeyboardButton("Stop these reminders", callback_data="nudges:off")],
    ])


async def due_rows(
    storage: Storage, now: dt.datetime, batch_size: int | None = None
) -> AsyncIterator[list[DueCredential]]:
    """The credential rows due at ``now``, a batch at a time (:data:`BATCH_SIZE`), by
    (next_nudge_due, id)."""
    batch_size = batch_size or BATCH_SIZE
    after = None
    while True:
        batch = await storage.due_credentials(now, after=after, limit=batch_size)
        if batch:
            yield batch
        if len(batch) < batch_size:
            return
        after = (batch[-1].next_nudge_due, batch[-1].id)


class UnknownCredential(LookupError):
    pass


async def _nudge_for(storage: Storage, row: DueCredential, now: dt.datetime) -> DueNudge | None:
    """The nudge due for this row at ``now``, or None."""
    credential = ce_credentials.find(row.credential)
    if credential is None:
        raise UnknownCredential(f"unknown credential {row.credential!r}")
    if row.timezone and resolve_timezone(row.timezone).key != row.timezone:
        log.warning("user %s has an unknown time zone %r: using %s", row.user_id, row.timezone,
                    resolve_timezone(row.timezone).key)
    claims = await storage.nudge_claims(row.user_id, row.credential, row.expiration)
    milestone = due_milestone(credential, row.expiration, now, row.timezone,
                              blocked_keys(claims, now), row.snoozed_until)
    if milestone is None:
        return None
    entries = [r.to_entry() for r in await storage.entries(row.user_id)]
    local_today = local_now(now, row.timezone).date()
    status = ce_rules.ce_status(credential, row.expiration, entries, local_today,
                                since=row.cycle_start)
    return DueNudge(
        user_id=row.user_id, chat_id=row.chat_id, credential=row.credential,
        expiration=row.expiration, milestone=milestone.key,
        text=nudge_text(milestone.key, status), timezone=row.timezone,
    )


async def _evaluate(
    storage: Storage, row: DueCredential, now: dt.datetime, *, write: bool
) -> DueNudge | None:
    """:func:`_nudge_for`, never raising: a row with nothing due is moved on to its next due
    time, a row that fails is logged and moved :data:`BAD_ROW_RETRY` on (with ``write``)."""
    try:
        if not row.nudgeable:  # its next_nudge_due should have been empty: compute it
            if write:
                await storage.reschedule_nudges(row.user_id, row.credential)
            return None
        if held_by_quiet(row.quiet_until, now):  # a crisis reply: nothing unasked for a day
            if write:
                await storage.postpone_due(row.id, row.next_nudge_due, row.quiet_until)
            return None
        nudge = await _nudge_for(storage, row, now)
        if nudge is None and write:
            await storage.reschedule_nudges(row.user_id, row.credential, after=now)
        return nudge
    except Exception as exc:
        if transient(exc):
            # the database or network failed, not the row: it stays due for the next tick
            log.warning("nudge for user %s %s not evaluated (%s: %s): tried again next tick",
                        row.user_id, row.credential, type(exc).__name__, exc)
            return None
        if isinstance(exc, UnknownCredential):
            log.warning("user %s: %s: skipped", row.user_id, exc)
        else:
            log.exception("nudge for user %s %s (expires %s) failed: skipped", row.user_id,
                          row.credential, row.expiration)
        if write:
            try:
                await storage.postpone_due(row.id, row.next_nudge_due, now + BAD_ROW_RETRY)
            except Exception:
                log.exception("could not move user %s's %s on", row.user_id, row.credential)
        return None


async def due_nudges(storage: Storage, now: dt.datetime) -> list[DueNudge]:
    """Every nudge due at `now` (aware UTC), at most one per user and credential. Reads only;
    writes nothing (a preview: ``nudges dispatch --dry-run``)."""
    out: list[DueNudge] = []
    async for batch in due_rows(storage, now):
        for row in batch:
            nudge = await _evaluate(storage, row, now, write=False)
            if nudge is not None:
                out.append(nudge)
    return out


async def dispatch(
    storage: Storage,
    bot: Bot | None,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    clock: Callable[[], dt.datetime] | None = None,
    stop: asyncio.Event | None = None,
) -> list[DispatchResult]:
    """Send every nudge due at `now` at most once: claim it in the database, then send it.

    ``clock`` tells the time at each send, for claims, retries and quiet hours (a tick may run
    long); by default ``now`` plus the time elapsed since the call. Once ``stop`` is set the
    tick ends before its next nudge (what is left stays due for the next tick or replica)."""
    if clock is None:
        started = time.monotonic()

        def clock() -> dt.datetime:
            return now + dt.timedelta(seconds=time.monotonic() - started)

    if dry_run or bot is None:
        return [DispatchResult(nudge, "dry-run") for nudge in await due_nudges(storage, now)]
    await _settle_stale_sending(storage, now)
    results: list[DispatchResult] = []
    async for batch in due_rows(storage, now):
        for row in batch:
            if stop is not None and stop.is_set():
                log.info("nudge tick stopped (shutting down): %d handled, the rest stay due",
                         len(results))
                return results
            nudge = await _evaluate(storage, row, now, write=True)
            if nudge is None:
                continue
            try:
                outcome = await _claim_and_send(storage, bot, nudge, clock)
            except Exception:
                log.exception("nudge %s %s for user %s failed", nudge.credential,
                              nudge.milestone, nudge.user_id)
                outcome = "error"
            results.append(DispatchResult(nudge, outcome))
            log.info("nudge %s %s for user %s: %s", nudge.credential, nudge.milestone,
                     nudge.user_id, outcome)
    return results


async def _settle_stale_sending(storage: Storage, now: dt.datetime) -> None:
    """Claims left "sending" by a dispatcher that died mid-send: never sent again."""
    try:
        stale = await storage.settle_stale_sending(now)
    except Exception as exc:  # noqa: BLE001 - a database blip: the next tick does it
        log.warning("could not settle stale nudge sends: %s", exc)
        return
    for user_id, credential, milestone in stale:
        log.warning("nudge %s %s for user %s was being sent when its dispatcher stopped: it "
                    "may have been delivered; not sent again (unconfirmed)", credential,
                    milestone, user_id)
    if stale:
        metrics.count_nudge("unconfirmed", len(stale))


async def _claim_and_send(
    storage: Storage, bot: Bot, nudge: DueNudge, clock: Callable[[], dt.datetime]
) -> str:
    claim = await storage.claim_nudge(
        nudge.user_id, nudge.credential, nudge.expiration, nudge.milestone, clock()
    )
    if claim is None:
        return "skipped"
    return await _send(storage, bot, nudge, claim, clock())


#: httpx errors raised before the request was sent: nothing reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
             httpx.UnsupportedProtocol)


def surely_not_delivered(exc: TelegramError) -> bool:
    """Whether ``exc``, raised by a send, proves that Telegram did not deliver the message.

    True for a request that never left (python-telegram-bot raises NetworkError or TimedOut
    *from* httpx's connect, DNS, pool and proxy errors) and for an error response, where the
    Bot API answered and refused: 429 (RetryAfter), a rejected token, and 5xx, which PTB
    raises as a NetworkError *without* an httpx cause (or from the TelegramError of an
    unparsable error page). False for everything else, above all a timeout or a dropped
    connection after the request went out: it may have been delivered."""
    if isinstance(exc, RetryAfter | InvalidToken):
        return True
    if not isinstance(exc, NetworkError):
        return False
    cause = exc.__cause__
    return cause is None or isinstance(cause, (TelegramError, *_NOT_SENT))


def _retry_after(exc: RetryAfter) -> dt.timedelta:
    with warnings.catch_warnings():  # an int is deprecated in PTB 22 in favour of timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)


async def _finish(storage: Storage, claim: int, status: str) -> None:
    """``finish_nudge``, retried: a claim whose outcome is not recorded stays "sending" (never
    sent again, settled as "unconfirmed" later)."""
    delay = FINISH_BACKOFF
    for attempt in range(1, FINISH_ATTEMPTS + 1):
        try:
            await storage.finish_nudge(claim, status)
            return
        except Exception as exc:
            if attempt == FINISH_ATTEMPTS:
                log.error("nudge claim %s: could not record %r (%s); it stays \"sending\" and "
                          "is never sent again", claim, status, exc)
                raise
            log.warning("nudge claim %s: recording %r failed (%s); retry %d in %.1f s", claim,
                        status, exc, attempt, delay)
            await asyncio.sleep(delay)
            delay *= 2


async def _send(storage: Storage, bot: Bot, nudge: DueNudge, claim: int, at: dt.datetime) -> str:
    if in_quiet_hours(at, nudge.timezone):
        # the tick ran long: quiet hours began before this nudge went out
        await storage.postpone_nudge(claim, next_send_time(at, nudge.timezone))
        return "quiet"
    if not await storage.mark_nudge_sending(claim, at):
        log.warning("nudge claim %s for user %s was taken over: not sent here", claim,
                    nudge.user_id)
        return "skipped"
    try:
        await asyncio.wait_for(bot.send_message(
            nudge.chat_id, nudge.text, parse_mode=ParseMode.HTML,
            reply_markup=nudge_keyboard(nudge.credential),
        ), SEND_LIMIT.total_seconds())
    except TimeoutError:
        log.error("nudge for user %s: no answer within %s (flood limits?); it may have been "
                  "delivered", nudge.user_id, SEND_LIMIT)
        await _finish(storage, claim, "unconfirmed")
        return "unconfirmed"
    except Forbidden:
        await storage.set_active(nudge.user_id, False)
        await _finish(storage, claim, "blocked")
        return "blocked"
    except BadRequest as exc:
        log.error("nudge for user %s rejected: %s", nudge.user_id, exc)
        await _finish(storage, claim, "failed")
        return "failed"
    except TelegramError as exc:
        if surely_not_delivered(exc):
            retry_at = await storage.release_nudge(
                claim, at, retry_after=_retry_after(exc) if isinstance(exc, RetryAfter) else None
            )
            log.warning("nudge for user %s not delivered (%s): next try at %s",
                        nudge.user_id, exc, retry_at.isoformat() if retry_at else "once due")
            return "deferred"
        # it may have been delivered: keep the claim, so the nudge is never sent twice
        log.error("nudge for user %s may not have been delivered: %s", nudge.user_id, exc)
        await _finish(storage, claim, "unconfirmed")
        return "unconfirmed"
    await _finish(storage, claim, "sent")
    return "sent"


def parse_now(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("--now needs a time zone, e.g. 2027-01-01T14:00:00Z")
    return value.astimezone(dt.UTC)


def make_bot(settings: Settings) -> Bot:
    from telegram.request import HTTPXRequest

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    return Bot(
        token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        request=HTTPXRequest(connection_pool_size=4),
    )


def dispatch_cli(settings: Settings, *, now: str | None, dry_run: bool) -> int:
    """`python -m bot nudges dispatch [--now ISO] [--dry-run]`."""
    try:
        instant = parse_now(now)
    except ValueError as exc:
        print(f"nudges dispatch: {exc}")
        return 2
    if not dry_run and not settings.telegram_bot_token:
        print("nudges dispatch: TELEGRAM_BOT_TOKEN is not set (use --dry-run to preview)")
        return 1

    async def main() -> list[DispatchResult]:
        storage = Storage(settings.database_url)
        await storage.init()
        try:
            if dry_run:
                return await dispatch(storage, None, instant, dry_run=True)
            bot = make_bot(settings)
            async with bot:
                return await dispatch(storage, bot, instant)
        finally:
            await storage.close()

    results = asyncio.run(main())
    # sent earliest-due first; listed by user
    for r in sorted(results, key=lambda r: (r.nudge.user_id, r.nudge.credential)):
        n = r.nudge
        print(f"{r.outcome:8} user={n.user_id} {n.credential} expires={n.expiration} "
              f"milestone={n.milestone}")
    print(f"nudges dispatch at {instant.isoformat()}: {len(results)} due, "
          f"{sum(r.outcome == 'sent' for r in results)} sent")
    return 0
