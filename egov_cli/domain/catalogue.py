"""Services (Verwaltungsleistungen): list, show, add, edit, remove, with every change on record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_
from sqlmodel import Session, col, select

from egov_cli.core import history
from egov_cli.core.errors import Conflict, NotFound, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ChangeRecord, Department, Procedure, Service
from egov_cli.core.schema import PROCEDURE_ATTRIBUTES, SERVICE_FIELDS
from egov_cli.domain.common import (
    department_by_code,
    diff,
    procedure_by_name,
    service_search_text,
)
from egov_cli.domain.german_order import german_order
from egov_cli.domain.scale import load_scale
from egov_cli.i18n import _, language
from egov_cli.values.fold import search_fold
from egov_cli.values.parse import leika_key_warning, parse_leika_key
from egov_cli.values.vocab import STATUSES, label_of

#: Service fields a user may set (besides department and procedure, given by code and name):
#: the ones an import sets.
EDITABLE = SERVICE_FIELDS


@dataclass(frozen=True)
class ServiceView:
    """A service as commands show it: its fields with department code and procedure name."""

    id: int
    leika_key: str | None
    name: str
    citizen_name: str | None
    leika_type: str | None
    ozg_id: str | None
    ozg_name: str | None
    topic: str | None
    life_event: str | None
    addressee: str | None
    department: str | None
    level: int
    status: str
    procedure: str | None
    online_url: str | None
    bayernportal_url: str | None
    go_live: date | None
    target_level: int | None
    target_date: date | None
    sdg_annex2: bool
    cases_per_year: int | None
    notes: str | None
    # Online-service details kept on the service while it names no procedure (see models).
    procedure_url: str | None
    procedure_provision: str | None
    procedure_bayernportal: bool | None
    procedure_authentication: str | None
    procedure_bayernid: bool | None
    procedure_bundid: bool | None
    procedure_epayment: bool | None
    procedure_submits: bool | None
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def as_json(self) -> dict[str, Any]:
        """The fields with dates and times as ISO text (what ``--json`` prints)."""
        data = dict(self.__dict__)
        for name in _DATE_FIELDS:
            value = data[name]
            if value is not None:
                data[name] = value.isoformat()
        return data


VIEW_FIELDS = tuple(f.name for f in fields(ServiceView))
_DATE_FIELDS = ("go_live", "target_date", "created_at", "updated_at")


@dataclass(frozen=True)
class ServiceFilter:
    """The filters of ``services list``, ``export`` and reports. Empty means all."""

    department: str | None = None
    level: int | None = None  # exactly this level
    below: int | None = None  # below this level
    min_level: int | None = None  # at least this level
    status: str | None = None
    topic: str | None = None
    search: str | None = None
    leika_type: str | None = None
    sdg_annex2: bool | None = None

    def describe(self) -> str:
        """The filter in the reader's words (``Amt 32, Reifegrad ab 3``), or "all services"."""
        parts = [
            _filter_words(f.name, value)
            for f in fields(self)
            if (value := getattr(self, f.name)) is not None
        ]
        return ", ".join(parts) if parts else _("all services")

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


def _filter_words(name: str, value: Any) -> str:
    """One filter of :class:`ServiceFilter` in the reader's words."""
    if name == "status":
        return _("status {value}").format(value=label_of(STATUSES, value, language()))
    if name == "sdg_annex2":
        return _("SDG Annex II: yes") if value else _("SDG Annex II: no")
    words = {
        "department": _("department {value}"),
        "level": _("maturity level {value}"),
        "below": _("maturity level below {value}"),
        "min_level": _("maturity level {value} or higher"),
        "topic": _("Themenfeld {value}"),
        "search": _("search {value!r}"),
        "leika_type": _("LeiKa type {value}"),
    }
    return words[name].format(value=value)


@dataclass(frozen=True)
class ServicePage:
    rows: list[ServiceView]
    total: int
    offset: int


def _view_columns() -> list[Any]:
    """The columns of a ServiceView, in its field order (so rows map positionally)."""
    links = {"department": col(Department.code), "procedure": col(Procedure.name)}
    return [links[name] if name in links else col(getattr(Service, name)) for name in VIEW_FIELDS]


def apply_filter(query: Select[Any], flt: ServiceFilter) -> Select[Any]:
    """Add the filter's conditions to a query over ``service`` (joined with department)."""
    conditions: list[ColumnElement[bool]] = []
    if flt.department:
        conditions.append(
            or_(
                func.lower(Department.code) == flt.department.lower(),
                func.lower(Department.name) == flt.department.lower(),
            )
        )
    if flt.level is not None:
        conditions.append(col(Service.level) == flt.level)
    if flt.below is not None:
        conditions.append(col(Service.level) < flt.below)
    if flt.min_level is not None:
        conditions.append(col(Service.level) >= flt.min_level)
    if flt.status:
        conditions.append(col(Service.status) == flt.status)
    if flt.topic:
        conditions.append(func.lower(Service.topic) == flt.topic.lower())
    if flt.leika_type:
        conditions.append(col(Service.leika_type) == flt.leika_type)
    if flt.sdg_annex2 is not None:
        conditions.append(col(Service.sdg_annex2) == flt.sdg_annex2)
    if flt.search:
        for word in search_fold(flt.search).split():
            conditions.append(col(Service.search_text).contains(word, autoescape=True))
    return query.where(and_(*conditions)) if conditions else query


def list_services(
    session: Session, flt: ServiceFilter | None = None, *, limit: int | None = None, offset: int = 0
) -> ServicePage:
    """Services matching the filter, sorted by department, name (German order) and id."""
    flt = flt or ServiceFilter()
    base = select(*_view_columns()).select_from(Service)
    base = base.outerjoin(Department, col(Service.department_id) == col(Department.id))
    base = base.outerjoin(Procedure, col(Service.procedure_id) == col(Procedure.id))
    # Department (services without one last), then name, both in German order (DIN 5007
    # variant 1, as the reports sort), then id: the same order on every database.
    query = apply_filter(base, flt).order_by(
        col(Department.code).is_(None),
        *german_order(col(Department.code)),
        *german_order(col(Service.name)),
        col(Service.id),
    )
    count_query = apply_filter(
        select(func.count())
        .select_from(Service)
        .outerjoin(Department, col(Service.department_id) == col(Department.id)),
        flt,
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
        total = session.execute(count_query).scalar_one()
    # Core execution: the rows are plain column tuples, no ORM loading step needed.
    rows = [ServiceView(*row) for row in session.connection().execute(query)]
    if limit is None:
        total = len(rows)
    return ServicePage(rows, total, offset)


def find_service(session: Session, ref: str) -> Service:
    """A service by LeiKa key (any spacing) or id."""
    text = str(ref).strip()
    found: Service | None = None
    if text.isdigit() and len(text) < 14:
        found = session.get(Service, int(text))
    else:
        try:
            key = parse_leika_key(text)
        except ValidationError as exc:
            raise NotFound(
                _("No service {service!r}.").format(service=text),
                _("Address a service by its 14-digit LeiKa key or its id."),
            ) from exc
        if key:
            found = session.exec(select(Service).where(Service.leika_key == key)).first()
    if found is None:
        raise NotFound(
            _("No service {service!r} in the catalogue.").format(service=text),
            _("Find it with 'egov services list --search TEXT'."),
        )
    return found


def view(session: Session, service: Service) -> ServiceView:
    dept = session.get(Department, service.department_id) if service.department_id else None
    proc = session.get(Procedure, service.procedure_id) if service.procedure_id else None
    values = {
        name: getattr(service, name)
        for name in VIEW_FIELDS
        if name not in ("department", "procedure")
    }
    return ServiceView(
        **values, department=dept.code if dept else None, procedure=proc.name if proc else None
    )


@dataclass(frozen=True)
class ServiceChange:
    """What an add or edit did: the service after it, the field changes and warnings."""

    service: ServiceView
    changes: dict[str, tuple[Any, Any]]
    warnings: list[str]


def _resolve_links(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Replace ``department`` (code) and ``procedure`` (name) by their ids."""
    resolved = dict(values)
    if "department" in resolved:
        code = resolved.pop("department")
        resolved["department_id"] = department_by_code(session, code).id if code else None
    if "procedure" in resolved:
        name = resolved.pop("procedure")
        resolved["procedure_id"] = procedure_by_name(session, name).id if name else None
    return resolved


def _check_own_details(
    session: Session, values: Mapping[str, Any], procedure_id: int | None
) -> None:
    """Online details are kept on a service only while it names no online procedure (then the
    procedure's count): for a service with one, they are refused (clearing them is not), with
    the command that changes the procedure's."""
    given = [name for name in PROCEDURE_ATTRIBUTES if values.get(name) is not None]
    if not given or procedure_id is None:
        return
    procedure = session.get(Procedure, procedure_id)
    assert procedure is not None
    raise ValidationError(
        _(
            "The service has the online service {name!r}: its online details are the online "
            "service's."
        ).format(name=procedure.name),
        _("Change them with: egov procedures edit {quoted}").format(
            quoted=f'"{procedure.name}"'  # double quotes: read alike by cmd, PowerShell and sh
        ),
    )


def _check(session: Session, values: Mapping[str, Any], service_id: int | None) -> list[str]:
    """Validate levels against the scale and the key's uniqueness; return warnings."""
    scale = load_scale(session)
    for name in ("level", "target_level"):
        if values.get(name) is not None:
            scale.check(values[name], name.replace("_", " "))
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationError(_("A service needs a name."), _("Give the name with --name."))
    warnings: list[str] = []
    key = values.get("leika_key")
    if key:
        other = session.exec(select(Service).where(Service.leika_key == key)).first()
        if other is not None and other.id != service_id:
            raise Conflict(
                _("LeiKa key {key} belongs to service {id} ({name!r}) already.").format(
                    key=key, id=other.id, name=other.name
                ),
                _("Edit that service instead, or check the key."),
            )
        if warning := leika_key_warning(key):
            warnings.append(warning)
    return warnings


def _key_of(service: Service) -> str:
    return service.leika_key or f"#{service.id}"


def add_service(session: Session, ctx: ChangeContext, values: Mapping[str, Any]) -> ServiceChange:
    """Add a service; ``values`` holds parsed fields, ``department`` as code, ``procedure`` as name."""
    unknown = set(values) - set(EDITABLE) - {"department", "procedure"}
    if unknown:
        raise ValidationError(
            _("Unknown service fields: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    from egov_cli.domain.reference import fill_from_reference  # loads the reference: only here

    clean, warnings = fill_from_reference({k: v for k, v in values.items() if v is not None})
    if not clean.get("name"):
        key = clean.get("leika_key")
        raise ValidationError(
            _(
                "A service needs a name; the reference catalogue does not know LeiKa key {key}."
            ).format(key=key)
            if key
            else _("A service needs a name."),
            _('Give the name, e.g. egov services add "Gewerbe Anmeldung" --leika KEY.'),
        )
    warnings += _check(session, clean, None)
    resolved = _resolve_links(session, clean)
    _check_own_details(session, clean, resolved.get("procedure_id"))
    service = Service(**resolved, created_at=ctx.at, updated_at=ctx.at)
    service.search_text = service_search_text(resolved)
    session.add(service)
    session.flush()
    assert service.id is not None
    shown = view(session, service)
    history.insert_records(
        session,
        [history.created(ctx, "service", service.id, _key_of(service), _snapshot_values(shown))],
    )
    return ServiceChange(shown, {k: (None, v) for k, v in clean.items()}, warnings)


def _snapshot_values(shown: ServiceView) -> dict[str, Any]:
    return {k: v for k, v in shown.as_dict().items() if k not in ("id", "created_at", "updated_at")}


def edit_service(
    session: Session, ctx: ChangeContext, ref: str, values: Mapping[str, Any]
) -> ServiceChange:
    """Change the given fields of a service; unchanged values record nothing."""
    service = find_service(session, ref)
    assert service.id is not None
    unknown = set(values) - set(EDITABLE) - {"department", "procedure"}
    if unknown:
        raise ValidationError(
            _("Unknown service fields: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    warnings = _check(session, values, service.id)
    before = view(session, service)
    resolved = _resolve_links(session, dict(values))
    _check_own_details(session, values, resolved.get("procedure_id", service.procedure_id))
    changes = diff(service, resolved)
    if not changes:
        return ServiceChange(before, {}, warnings)
    for name, (_old, new) in changes.items():
        setattr(service, name, new)
    service.search_text = service_search_text(
        {k: getattr(service, k) for k in ("name", "citizen_name", "leika_key", "ozg_name", "notes")}
    )
    service.updated_at = ctx.at
    session.add(service)
    session.flush()
    after = view(session, service)
    shown_changes = {
        name: (getattr(before, name), getattr(after, name))
        for name in VIEW_FIELDS
        if getattr(before, name) != getattr(after, name) and name not in ("updated_at",)
    }
    history.insert_records(
        session, history.updated(ctx, "service", service.id, _key_of(service), shown_changes)
    )
    return ServiceChange(after, shown_changes, warnings)


def remove_service(session: Session, ctx: ChangeContext, ref: str) -> ServiceView:
    """Delete a service; its history stays (with a delete record holding its last values)."""
    service = find_service(session, ref)
    assert service.id is not None
    shown = view(session, service)
    history.insert_records(
        session,
        [history.deleted(ctx, "service", service.id, _key_of(service), _snapshot_values(shown))],
    )
    session.delete(service)
    session.flush()
    return shown


def service_history(session: Session, ref: str) -> list[ChangeRecord]:
    """The history of a service by key or id; also works for removed services, by key."""
    try:
        service = find_service(session, ref)
        assert service.id is not None
        return history.history_of(session, "service", service.id)
    except NotFound:
        key = parse_leika_key(ref) if not ref.strip().isdigit() or len(ref.strip()) == 14 else None
        entity_id = int(ref) if ref.strip().isdigit() and len(ref.strip()) < 14 else None
        query = select(ChangeRecord).where(ChangeRecord.entity == "service")
        if key:
            query = query.where(ChangeRecord.entity_key == key)
        elif entity_id is not None:
            query = query.where(ChangeRecord.entity_id == entity_id)
        records = list(
            session.exec(query.order_by(col(ChangeRecord.changed_at), col(ChangeRecord.id))).all()
        )
        if not records:
            raise
        return records
