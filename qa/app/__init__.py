"""Entry points: command line and web chat."""
