"""The gated sender and the local Cloud API emulator.

The sender turns a campaign plan and a passing lint report into paced, retried, resumable
template sends through the WhatsApp Cloud API; the emulator (:mod:`sender.emulator`) is a local
Cloud API that validates, limits and answers like Meta's and delivers signed webhooks.
"""
