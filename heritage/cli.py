"""The ``heritage`` command: one typer app; each area adds its commands through ``register``."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="heritage",
    help="Heritage Graph: a knowledge-graph-first platform for museum and cultural-heritage data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each module defines ``register(app)``; the order is the order of ``heritage --help``.
COMMAND_MODULES = (
    "kg.cli",
    "mappings.cli",
    "ml.cli",
    "ml.restore.cli",
    "ml.rti.cli",
    "kg.neo4j_cli",
    "api.cli",
    "kg.harvest_cli",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
