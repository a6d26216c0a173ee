"""Pydantic models at the edge: what a client may send for each layer (unknown fields refused)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Dimension(BaseModel):
    type: str = Field(description="height, width, depth, diameter, weight, length")
    value: float
    unit: str = "cm"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="IRI-safe id; minted when absent")
    title: dict[str, str] | str | None = Field(default=None, description='{"ko": "...", "en": "..."}')
    description: dict[str, str] | str | None = None
    rights: str | None = Field(default=None, description="rights IRI, e.g. CC0")
    creators: list[str] = []
    derived_from: list[str] = []


class WorkIn(_Base):
    title: dict[str, str] | str
    identifier: str | None = None
    object_type: list[str] = []
    era: list[str] = []
    material: list[str] = []
    use: list[str] = []
    culture: list[str] = []
    place_of_origin: list[str] = []
    find_spot: list[str] = []
    material_statement: str | None = None
    date_statement: str | None = None
    begin_year: int | None = None
    end_year: int | None = None
    museum: str | None = None
    collection_number: str | None = None
    department: str | None = None
    dimensions: list[Dimension] = []
    dimension_statement: str | None = None
    exhibition: str | None = None
    theme: list[str] = []
    rights_statement: str | None = None
    source_url: str | None = None


class ProjectIn(_Base):
    title: dict[str, str] | str
    project_type: list[str] = []
    start_date: str | None = None
    end_date: str | None = None
    carried_out_by: str | None = None


class InstanceIn(_Base):
    title: dict[str, str] | str
    represents: str
    produced_by: str | None = None
    instance_type: list[str] = []


class ItemIn(_Base):
    part_of: str
    file_name: str | None = None
    media_type: str | None = None
    file_format: str | None = None
    byte_size: int | None = None
    sha256: str | None = None
    pixel_width: int | None = None
    pixel_height: int | None = None


MODELS = {"work": WorkIn, "project": ProjectIn, "instance": InstanceIn, "item": ItemIn}
PLURALS = {"works": "work", "projects": "project", "instances": "instance", "items": "item"}
