"""Background jobs of signing (django.tasks), on the "signing" backend: always immediate, in
the thread that enqueues them, because they need a passphrase that exists only in memory
(see signing/bulk_jobs.py). Arguments stay JSON-simple and never carry a secret."""

from __future__ import annotations

from django.tasks import task


@task(backend="signing")
def steps_sign_bulk_task(*, job_id: str) -> dict[str, int]:
    """Sign a bulk job's documents, reporting progress on the signer's socket."""
    from signing.bulk_jobs import job_run

    return job_run(job_id)
