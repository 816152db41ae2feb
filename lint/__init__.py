"""The pre-send compliance linter: drafts, contact lists, consent and plans checked against policy and law."""
