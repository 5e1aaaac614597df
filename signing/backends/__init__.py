"""Key backends: where a signing key lives and how a pyHanko signer is obtained from it — a
server-held PKCS#12 (``pkcs12``), a token or HSM (``pkcs11``), a remote CSC service (``csc``) —
and the signing identities stored in the database that name them (``identities``). Builds on
``signing.pades``; requests and bulk signing build on this package."""
