"""Background tasks of the accounts app: thin, they call the services."""

from django_tasks import task

from accounts.services.claims import claim_complete_if_due


@task()
def complete_claim(claim_id: int) -> None:
    """Enqueued with run_after = the claim's takes_effect_at (database queue: `manage.py
    db_worker` runs it when due). Idempotent: a claim objected to, confirmed, decided or
    not yet due is left as it is; `manage.py complete_claims` sweeps whatever a lost task
    missed."""
    claim_complete_if_due(claim_id)
