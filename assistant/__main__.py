"""`python -m assistant` runs the command line."""

from .cli import run

run()
