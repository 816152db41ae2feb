"""Alerts: watch complaint, opt-out and block rates and WhatsApp's quality signals, tell people, pause the sender.

The package is layered so that the sender's hot path stays cheap:

- :mod:`core.pauses` — pause flags as small files; ``is_paused(workspace, campaign=..., template=...,
  phone_number_id=...)`` is what the sender calls before every message (no warehouse, no lock).
- :mod:`alerts.config` — the ``[alerts]`` settings, ``[[alerts.rules]]`` and ``[[alerts.channels]]``.
- :mod:`alerts.rules` — the shipped default rules and how user rules override them.
- :mod:`alerts.detectors` — statistics (Wilson interval, two-proportion test, EWMA, CUSUM).
- :mod:`alerts.evaluate` / :mod:`alerts.events` — metrics in, observations out (pure).
- :mod:`alerts.state` — the lifecycle (pending, firing, resolved, silences, acknowledgements; pure).
- :mod:`alerts.store` — the ``alerts`` schema in the warehouse (state and history).
- :mod:`alerts.notify` — Slack-compatible, signed JSON, email, DingTalk, WeCom and Feishu channels.
- :mod:`alerts.engine` — ``check()``: one evaluation, run by ``wagate alerts check`` and ``wagate watch``.

This module imports nothing on purpose: ``from core.pauses import is_paused`` must not load DuckDB.
"""
