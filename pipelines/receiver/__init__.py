"""The webhook receiver: signed WhatsApp Cloud API webhooks in, durable landing files out.

``serve(options, host, port)`` runs it (``wagate receive`` is the command); ``build_app(options)``
gives the ASGI app for embedding or tests. Landing files are read by ``pipelines.run.ingest``
unchanged; see ``docs/receiver.md`` for the file contract and for running it in production.
"""

from __future__ import annotations

from core.signatures import sign
from pipelines.receiver.app import HEALTH_PATH, WEBHOOK_PATH, build_app
from pipelines.receiver.landing import encode_record, recover_open_files
from pipelines.receiver.options import ReceiverOptions, check_exposure, is_loopback
from pipelines.receiver.server import serve

__all__ = [
    "HEALTH_PATH",
    "WEBHOOK_PATH",
    "ReceiverOptions",
    "build_app",
    "check_exposure",
    "encode_record",
    "is_loopback",
    "recover_open_files",
    "serve",
    "sign",
]
