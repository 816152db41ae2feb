"""Data-subject rights and retention: forget (erasure), access export, retention purge.

The pipelines own the warehouse writes and the landing zone, so erasure and purge live here.
See docs/privacy.md.
"""
