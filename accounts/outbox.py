"""The outbox: every SMS and e-mail is queued, then sent by the task worker with retries.

`message_queue` writes an OutboxMessage in the caller's transaction and, after commit,
hands its id to the task queue (accounts.tasks.send_message). The worker takes the row
(`message_send`: one conditional UPDATE, so that two workers never send it twice), sends
it and marks it sent; when the gateway fails it waits MESSAGE_RETRY_DELAY × 2ⁿ (at most
an hour) and tries again, MESSAGE_MAX_ATTEMPTS times in all, then marks it failed with
the last error. A retry is enqueued with `run_after` where the queue can defer (database,
RQ with its scheduler); `messages_send_due`, which every worker runs every half minute
(portal.worker.housekeeping), sends whatever is due however it got lost — a queue that was down when
the request committed, a worker killed mid-send, a queue that cannot defer.

So a request never fails because a gateway is down (docs/quality.md "Messages after
commit"): it only writes a row. The text of a code message is erased once settled, and
a code not sent before it expires is not sent at all.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.models import MessageChannel, MessageKind, MessageState, OutboxMessage
from accounts.sms import send_sms

logger = logging.getLogger(__name__)

# A worker that took a message owns it this long; if it dies meanwhile, the message
# becomes due again (sent at least once; a gateway's own time-out is 10 s).
SEND_LEASE = timedelta(minutes=5)
MAX_DELAY = timedelta(hours=1)
# A sweep stops trying a channel after this many failures in a row: the gateway is down,
# and the rest would only wait for their time-outs.
SWEEP_BREAKER = 5


def message_queue(
    *,
    channel: str,
    destination: str,
    kind: str,
    body: str,
    subject: str = "",
    params: dict | None = None,
    user=None,
    expires_at: datetime | None = None,
    after_commit: bool = True,
) -> OutboxMessage:
    """Queue one message; it goes to the task queue when the current transaction commits
    (never for a rolled-back change). A caller that runs outside any transaction (a code
    request) may say `after_commit=False`: the row is committed already, and the task is
    enqueued at once — were it ever called inside one, the worker would not find the row
    yet and the next sweep would send it."""
    message = OutboxMessage.objects.create(
        channel=channel,
        destination=destination,
        kind=kind,
        body=body,
        subject=subject,
        params=params or {},
        user=user,
        expires_at=expires_at,
    )
    if after_commit:
        transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    else:
        _enqueue(message.pk)
    return message


def _enqueue(message_id: int, run_after: datetime | None = None) -> None:
    from accounts.tasks import send_message

    try:
        task = send_message.using(run_after=run_after) if run_after else send_message
        task.enqueue(message_id)
    except Exception:
        # The queue is down: the row stays due and the next sweep sends it.
        logger.exception("outbox: message %s not enqueued; the sweep will send it", message_id)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: base × 2ⁿ⁻¹, at most an hour."""
    base = timedelta(seconds=settings.MESSAGE_RETRY_DELAY)
    return min(base * 2 ** max(attempts - 1, 0), MAX_DELAY)


def message_send(*, message_id: int, now: datetime | None = None) -> str:
    """Try to send one message if it is due and no other worker has it. Returns its state
    afterwards ("" when it was not taken: sent already, failed, not due, or taken)."""
    now = now or timezone.now()
    taken = OutboxMessage.objects.filter(
        pk=message_id, state=MessageState.QUEUED, next_try_at__lte=now
    ).update(next_try_at=now + SEND_LEASE, attempts=F("attempts") + 1)
    if not taken:
        return ""
    message = OutboxMessage.objects.get(pk=message_id)
    if message.expires_at and message.expires_at <= now:
        _settle(message, MessageState.FAILED, error="expired before it could be sent")
        return MessageState.FAILED
    try:
        _deliver(message)
    except Exception as exc:  # any gateway failure: retried, never raised to a request
        return _failed(message, exc, now)
    _settle(message, MessageState.SENT)
    return MessageState.SENT


def _deliver(message: OutboxMessage) -> None:
    if message.channel == MessageChannel.EMAIL:
        EmailMessage(message.subject, message.body, None, [message.destination]).send()
        return
    send_sms(message.destination, message.body, kind=message.kind, params=message.params)


def _failed(message: OutboxMessage, exc: Exception, now: datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:500]
    logger.warning(
        "outbox: message %s was not sent (attempt %d): %s", message.pk, message.attempts, error
    )
    if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        _settle(message, MessageState.FAILED, error=error)
        return MessageState.FAILED
    next_try = now + retry_delay(message.attempts)
    OutboxMessage.objects.filter(pk=message.pk).update(next_try_at=next_try, last_error=error)
    if default_task_backend.supports_defer:
        _enqueue(message.pk, run_after=next_try)
    return MessageState.QUEUED


def _settle(message: OutboxMessage, state: str, *, error: str = "") -> None:
    fields: dict = {"state": state}
    if state == MessageState.SENT:
        fields["sent_at"] = timezone.now()
    else:
        fields["last_error"] = error[:500]
    if message.kind == MessageKind.CODE:
        fields.update(body="", params={})  # the code lives hashed only (docs/security.md)
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)


def messages_send_due(*, now: datetime | None = None, limit: int = 500) -> Counter:
    """Send every message that is due, oldest first; counts by resulting state. A channel
    that fails SWEEP_BREAKER times in a row is left for the next sweep."""
    now = now or timezone.now()
    due = (
        OutboxMessage.objects.filter(state=MessageState.QUEUED, next_try_at__lte=now)
        .order_by("next_try_at", "pk")
        .values_list("pk", "channel")[:limit]
    )
    counts: Counter = Counter()
    failures_in_a_row: Counter = Counter()
    for pk, channel in list(due):
        if failures_in_a_row[channel] >= SWEEP_BREAKER:
            counts["skipped"] += 1
            continue
        state = message_send(message_id=pk, now=now)
        counts[state or "taken"] += 1
        if state == MessageState.SENT:
            failures_in_a_row[channel] = 0
        elif state:  # failed, or queued again: the gateway did not take it
            failures_in_a_row[channel] += 1
    return counts


def messages_send_now(ids: list[int]) -> None:
    """A first attempt, at once, for messages queued by a background job (reminders), so
    that its result can say how many went out; what fails is retried by the queue."""
    failures_in_a_row = 0
    for pk in ids:
        if failures_in_a_row >= SWEEP_BREAKER:
            return
        state = message_send(message_id=pk)
        failures_in_a_row = failures_in_a_row + 1 if state == MessageState.QUEUED else 0
