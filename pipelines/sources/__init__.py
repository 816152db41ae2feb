"""Input files: discovery and kind detection (files.py), reading them into staging relations."""
