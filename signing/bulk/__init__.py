"""Bulk signing (ký hàng loạt): the engines — one process (``inprocess``), worker processes
(``pool``), a CSC service (``csc``) — over the plain data they share (``types``); the service
that signs a signer's waiting steps (``services``); the background job and its task (``jobs``),
its progress socket (``consumers``) and the inbox's form post (``views``). Builds on
``signing.requests`` (the same checks and storing as one signature), ``signing.backends`` and
``signing.pades``; nothing below imports this package."""
