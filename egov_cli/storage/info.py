"""What ``egov db info`` shows: where the catalogue is, its schema and how much it holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from egov_cli.core.models import (
    ChangeRecord,
    Department,
    ImportRun,
    Procedure,
    ReportRun,
    Service,
    Target,
)
from egov_cli.domain.scale import load_scale
from egov_cli.storage.db import Catalogue, current_revision, sqlite_path


@dataclass(frozen=True)
class CatalogueInfo:
    location: str
    engine: str
    schema_revision: str | None
    size_bytes: int | None
    scale: str
    online_from_level: int | None
    counts: dict[str, int]


def catalogue_info(session: Session, catalogue: Catalogue) -> CatalogueInfo:
    tables = {
        "services": Service,
        "departments": Department,
        "procedures": Procedure,
        "targets": Target,
        "history": ChangeRecord,
        "imports": ImportRun,
        "reports": ReportRun,
    }
    counts = {
        name: int(session.execute(select(func.count()).select_from(model)).scalar_one())
        for name, model in tables.items()
    }
    path = sqlite_path(catalogue.target)
    size: int | None = None
    if path is not None:
        size = sum(
            p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()
        )
    else:
        size = session.execute(select(func.pg_database_size(func.current_database()))).scalar_one()
    scale = load_scale(session)
    return CatalogueInfo(
        location=catalogue.label,
        engine=catalogue.engine.dialect.name,
        schema_revision=current_revision(catalogue.engine),
        size_bytes=size,
        scale=scale.name,
        online_from_level=scale.online_threshold,
        counts=counts,
    )
