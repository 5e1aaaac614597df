"""A province's worth of data for scale tests and benchmarks (``manage.py seed_scale``).

The rows are built in Python and written in large batches (``COPY`` on PostgreSQL, plain
multi-row inserts elsewhere) with ids allocated here, so a full province (252 bodies, 1,500
people, five years: 20,000 meetings, 500,000 documents, 50,000 signing requests) loads in
minutes instead of the hours the service functions would take one row at a time. What the
services would also write is written too, in the same shape: the audit chain (hashed and
linked exactly as ``audit.services.audit_record`` does), the outgoing registers' numbers (per
body, type and year, never reused, never skipped), poll results (decided by
``meetings.voting.rules.decide``) and search text (folded by ``documents.search.fold``).

Modules: ``names`` (Vietnamese names and phrases), ``writer`` (batched rows and ids),
``chain`` (the audit chain), ``province`` (bodies, people, memberships), ``history``
(documents, signing requests, meetings, work records), ``run`` (the whole seed).
"""
