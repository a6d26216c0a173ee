"""``heritage serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port")] = 8000,
        data: Annotated[Path | None, typer.Option("--data", help="data directory")] = None,
        demo: Annotated[bool, typer.Option(help="load the demo collection first")] = False,
    ) -> None:
        """Run the web UI and every API on one server."""
        import uvicorn

        from api.app import create_app
        from kg.cli import heritage_errors, open_context
        from kg.settings import load_settings

        with heritage_errors():
            if demo:
                from kg.demo import load_demo

                ctx = open_context(data)
                try:
                    print(load_demo(ctx))
                finally:
                    ctx.close()
            settings = load_settings(data)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
