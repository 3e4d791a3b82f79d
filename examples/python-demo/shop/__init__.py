"""A tiny shop used to show telinject at work."""
