"""Turning events into alerts: which events alert whom, and the text they read."""
