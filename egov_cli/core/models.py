"""The catalogue's tables (SQLModel).

Identifiers are English; German terms live in labels (``egov_cli.core.schema``, ``egov_cli.values.vocab``).
All timestamps are timezone-aware UTC; dates are calendar dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC (what the catalogue stores)."""
    return datetime.now(UTC)


class MaturityLevel(SQLModel, table=True):
    """One level of the maturity scale in use (the scale is data, not code)."""

    __tablename__ = "maturity_level"

    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    label: str
    description: str = ""
    online: bool = False  # counts as "online" in reports (OZG model 1.1: level 3 and up)


class Setting(SQLModel, table=True):
    """Catalogue-wide settings, such as the name of the maturity scale."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class DepartmentBase(SQLModel):
    code: str = Field(index=True, unique=True, max_length=32)
    name: str
    contact: str | None = None


class Department(DepartmentBase, table=True):
    __tablename__ = "department"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProcedureBase(SQLModel):
    name: str = Field(index=True, unique=True)
    url: str | None = None
    provision: str | None = None  # vocab.PROVISIONS
    bayernportal: bool = False  # linked on BayernPortal
    authentication: str | None = None  # vocab.AUTHENTICATIONS
    bayernid: bool = False  # BayernID connection
    bundid: bool = False  # BundID connection
    epayment: bool = False
    submits_electronically: bool = False  # has a "send" step, not just a printable form


class Procedure(ProcedureBase, table=True):
    __tablename__ = "procedure"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ServiceBase(SQLModel):
    leika_key: str | None = Field(default=None, max_length=14)
    name: str
    citizen_name: str | None = None
    leika_type: str | None = None
    ozg_id: str | None = None
    ozg_name: str | None = None
    topic: str | None = None  # OZG Themenfeld
    life_event: str | None = None  # Lebenslage
    addressee: str | None = None  # vocab.ADDRESSEES
    level: int = 0
    status: str = "planned"  # vocab.STATUSES
    online_url: str | None = None
    bayernportal_url: str | None = None
    go_live: date | None = None
    target_level: int | None = None
    target_date: date | None = None
    sdg_annex2: bool = False
    cases_per_year: int | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The service's own online-service details, as a city list gives them per service (an
    # ePayment or BayernPortal column) when it names no online procedure: kept here while the
    # service has no procedure; with one, the procedure's details count. None: not stated.
    # Named as the spreadsheet columns (core.procedure_columns) that fill them.
    procedure_url: str | None = None
    procedure_provision: str | None = None  # vocab.PROVISIONS
    procedure_bayernportal: bool | None = None
    procedure_authentication: str | None = None  # vocab.AUTHENTICATIONS
    procedure_bayernid: bool | None = None
    procedure_bundid: bool | None = None
    procedure_epayment: bool | None = None
    procedure_submits: bool | None = None


class Service(ServiceBase, table=True):
    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("leika_key", name="uq_service_leika_key"),
        Index("ix_service_department_level", "department_id", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    procedure_id: int | None = Field(default=None, foreign_key="procedure.id")
    search_text: str = ""  # text.search_fold of name, citizen name and key, for free-text search
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ImportRun(SQLModel, table=True):
    """One run of ``egov import``: what was read and what it did."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    sha256: str = Field(index=True)
    sheet: str | None = None
    mode: str
    actor: str
    started_at: datetime = Field(default_factory=utcnow)
    created_count: int = 0
    changed_count: int = 0
    unchanged_count: int = 0
    rejected_count: int = 0
    new_departments: str = ""  # comma-separated codes created by this import
    new_procedures: str = ""  # comma-separated names created by this import


class ChangeRecord(SQLModel, table=True):
    """The change history: one row per changed field (one per created or deleted record).

    ``action`` is ``create``, ``update`` or ``delete``. For ``update`` rows ``field`` names the
    field and ``old_value``/``new_value`` hold its values as text. ``create`` rows hold the new
    record as JSON in ``new_value``; ``delete`` rows the old record in ``old_value``.
    """

    __tablename__ = "change_record"
    __table_args__ = (
        Index("ix_change_entity", "entity", "entity_id", "changed_at"),
        Index("ix_change_field_time", "field", "changed_at"),
        # level updates of services, for progress (see egov_cli.domain.levels); entity
        # and field make it cover queries that state its condition (migration 0005). The
        # migrations create it partial on PostgreSQL too; a postgresql_where here would load
        # SQLAlchemy's PostgreSQL dialect on every start (the schema comes from migrations).
        Index(
            "ix_change_level",
            "entity_id",
            "changed_at",
            "old_value",
            "new_value",
            "entity",
            "field",
            sqlite_where=text("entity || ':' || field = 'service:level'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    actor: str
    source: str  # the command (e.g. "services edit") or "import"
    import_id: int | None = Field(default=None, foreign_key="import_run.id")
    entity: str  # service, department, procedure, target, scale
    entity_id: int
    entity_key: str | None = None  # LeiKa key, department code, procedure name ...
    action: str
    field: str | None = None
    old_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Target(SQLModel, table=True):
    """A rollout target, such as "120 services at level 3 or higher by 31.12.".

    ``kind`` is ``level`` (services in scope at ``threshold_level`` or higher) or
    ``digitales_amt`` (distinct procedures linked on BayernPortal that submit electronically).
    The goal is ``goal_count`` services, or ``goal_share`` (0..1) of the scope.
    """

    __tablename__ = "target"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str = "level"
    threshold_level: int | None = None
    goal_count: int | None = None
    goal_share: float | None = None
    start_date: date
    due_date: date
    scope_department: str | None = None
    scope_topic: str | None = None
    scope_leika_type: str | None = None
    scope_sdg: bool | None = None
    notes: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReportRun(SQLModel, table=True):
    """A report that was produced, so ``report changes --since last`` knows when."""

    __tablename__ = "report_run"

    id: int | None = Field(default=None, primary_key=True)
    report: str = Field(index=True)
    generated_at: datetime = Field(default_factory=utcnow)
    actor: str
    format: str
    output: str | None = None


class ImportProfile(SQLModel, table=True):
    """A saved way to read a sender's workbook (``egov import --save-profile NAME``): the column
    map, value maps, sheet, header row and base URL, as JSON in ``settings``."""

    __tablename__ = "import_profile"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    settings: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReferenceUpdate(SQLModel, table=True):
    """A reference catalogue file loaded with ``egov reference update``."""

    __tablename__ = "reference_update"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    sha256: str
    rows: int
    loaded_at: datetime = Field(default_factory=utcnow)
    actor: str
