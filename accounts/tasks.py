"""Background tasks of the accounts app: thin, they call the services."""

from django_tasks import task

from accounts.outbox import message_send
from accounts.services.claims import claims_complete_due


@task()
def complete_claim(claim_id: int) -> None:
    """Enqueued with run_after = the claim's takes_effect_at (database queue: `manage.py
    db_worker` runs it when due). Idempotent: a claim objected to, confirmed, decided or
    not yet due is left as it is. Each run completes every claim that is due, this one
    among them, so that one task lost (a worker killed, a queue emptied) is made good by
    the next; `manage.py complete_claims` sweeps the same way for set-ups that cannot
    defer. `claim_id` stays in the signature for the tasks already queued."""
    claims_complete_due()


@task()
def send_message(message_id: int) -> None:
    """Send one queued SMS or e-mail (accounts.outbox); a message sent already, or taken
    by another worker, is left alone, so a duplicated task never sends twice."""
    message_send(message_id=message_id)
