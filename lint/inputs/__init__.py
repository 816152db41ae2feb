"""Readers of what users give the linter: drafts, contact lists, consent events and campaign plans."""
