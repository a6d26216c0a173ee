"""All configuration in one ``Settings`` object: ``HERITAGE_*`` environment variables, then an
optional TOML file (``HERITAGE_CONFIG`` or ``{data_dir}/heritage.toml``), then safe defaults
that run on a laptop."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HERITAGE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="store, files, indexes and tokens live here")
    base_url: str = Field(default="http://127.0.0.1:8000", description="base of every minted IRI")
    store: str = Field(default="oxigraph", description="'oxigraph' (embedded, on disk) or 'remote'")
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_gsp_url: str | None = None
    remote_timeout_s: float = 30.0

    sparql_timeout_s: float = 10.0
    sparql_result_cap: int = 10_000
    max_upload_bytes: int = 2 * 1024**3
    max_body_bytes: int = 20 * 1024**2
    ingest_batch: int = 500

    neo4j_uri: str | None = None  # bolt://... or falkordb://host:port
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    neo4j_auto_sync: bool = False

    clip_weights_dir: Path | None = None
    session_secret: str | None = None

    # OAI-PMH provider (api/oai.py): records per page, whether sets are offered (off -> noSetHierarchy)
    oai_page_size: int = 250
    oai_sets: bool = True
    oai_repository_name: str = "Heritage Graph"
    oai_admin_email: str = "admin@example.org"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def load_settings(data_dir: str | Path | None = None, **overrides: object) -> Settings:
    """Settings from the environment and the config file; ``data_dir`` (a CLI ``--data``) wins."""
    env_dir = data_dir or os.environ.get("HERITAGE_DATA_DIR") or "data"
    config_path = os.environ.get("HERITAGE_CONFIG") or str(Path(env_dir) / "heritage.toml")
    file_values: dict[str, object] = {}
    if Path(config_path).is_file():
        with open(config_path, "rb") as fh:
            file_values = tomllib.load(fh).get("heritage", {})
    env_values = Settings().model_dump(exclude_unset=True)
    values = {**file_values, **env_values, **{k: v for k, v in overrides.items() if v is not None}}
    if data_dir is not None:
        values["data_dir"] = Path(data_dir)
    return Settings(**values)
