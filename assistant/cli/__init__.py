"""The command line over the library core: one module per command group, no business logic."""

from assistant.cli.main import main, run

__all__ = ["main", "run"]
