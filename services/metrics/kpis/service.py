"""Business rules of KPIs. Every query is scoped by workspace; a foreign id is NotFound.

Derived KPIs: a formula is stored with [#id] references and shown with the current names. A KPI used by the
formula of an active KPI cannot be archived (409 naming the formulas): a scorecard never silently loses a
figure; archive or change the derived KPI first. A derived KPI whose inputs are archived cannot be restored.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Conflict, Invalid, field_error
from kit.query import get_scoped, order_by, select_page
from services.metrics.kpis import figures, formula, periods, status, targets
from services.metrics.kpis.models import Category, Frequency, Kpi, KpiCreate, KpiPublic, KpiUpdate, Source, Unit

KPI_SORTS = {"name", "category", "unit", "direction", "baseline_date", "created_at", "updated_at"}
DEFAULT_ORDER = [func.lower(col(Kpi.name))]  # as sort=name orders


def to_public(kpi: Kpi) -> KpiPublic:
    """The public view of a KPI, without figures of the current period."""
    return KpiPublic.model_validate(kpi)


def with_figures(*, session: Session, kpis: Sequence[Kpi], today: date | None = None) -> list[KpiPublic]:
    """Public views with the figures of each KPI's current period, its formula and staleness (four queries)."""
    today = today or date.today()
    buckets = [figures.Bucket(*periods.period_bounds(f.value, today), f.value) for f in Frequency]
    index = {b.frequency: i for i, b in enumerate(buckets)}
    ids = [k.id for k in kpis]
    graph = figures.load_graph(session, ids)
    frequency = {k.id: (k.expected_frequency or Frequency.month).value for k in kpis}
    actuals = figures.values(session, ids, buckets, graph=graph)
    windows = {i: (buckets[index[f]].start, buckets[index[f]].end) for i, f in frequency.items()}
    goals = targets.goals_for(session, ids, windows)
    last = figures.last_observed(session, ids, graph=graph)
    out = []
    for kpi in kpis:
        actual = actuals.get((kpi.id, index[frequency[kpi.id]]))
        goal = goals.get(kpi.id, status.Goal())
        judged = status.judge(kpi, actual, goal, windows[kpi.id], today)
        observed = last.get(kpi.id)
        out.append(
            KpiPublic.model_validate(
                kpi,
                update={
                    "actual": actual,
                    "target": goal.target,
                    "band_low": goal.band_low,
                    "band_high": goal.band_high,
                    "projected": judged.projected,
                    "attainment": judged.attainment,
                    "status": judged.status,
                    "formula_display": graph.display(kpi.id),
                    "inputs": graph.inputs(kpi.id),
                    "derived": kpi.formula is not None,
                    "last_observed": observed,
                    "stale": periods.is_stale(kpi.expected_frequency and kpi.expected_frequency.value, observed, today),
                },
            )
        )
    return out


def _stale_ids(session: Session, workspace_id: int, today: date) -> set[int]:
    graph = figures.workspace_graph(session, workspace_id)
    expecting = [k for k, node in graph.nodes.items() if node.frequency is not None]
    last = figures.last_observed(session, expecting, graph=graph)
    return {k for k in expecting if periods.is_stale(graph.nodes[k].frequency, last.get(k), today)}


def list_kpis(
    *,
    session: Session,
    workspace_id: int,
    category: Category | None = None,
    surface_id: int | None = None,
    archived: bool | None = False,
    q: str | None = None,
    ids: Collection[int] | None = None,
    owner_id: int | None = None,
    stale: bool | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
    today: date | None = None,
) -> tuple[list[Kpi], int]:
    """One page of the workspace's KPIs and the total that match the filters."""
    where = [Kpi.workspace_id == workspace_id]
    if owner_id is not None:
        where.append(Kpi.owner_id == owner_id)
    if stale is not None:
        stale_ids = _stale_ids(session, workspace_id, today or date.today())
        where.append(col(Kpi.id).in_(stale_ids) if stale else col(Kpi.id).not_in(stale_ids))
    if ids is not None:
        where.append(col(Kpi.id).in_(set(ids)))
    if category is not None:
        where.append(Kpi.category == category)
    if surface_id is not None:
        where.append(Kpi.surface_id == surface_id)
    if archived is not None:
        where.append(Kpi.archived == archived)
    if q:
        where.append(func.lower(Kpi.name).contains(q.lower(), autoescape=True))
    order = order_by(Kpi, sort, KPI_SORTS, DEFAULT_ORDER)
    return select_page(session, Kpi, where, order, limit=limit, offset=offset)


def _check_currency(unit: Unit, currency_code: str | None) -> None:
    if unit == Unit.currency and not currency_code:
        raise Invalid.field("currency_code", "required when unit is currency")
    if unit != Unit.currency and currency_code:
        raise Invalid.field("currency_code", "must be empty unless unit is currency")


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"A KPI named {name!r} already exists in this workspace.", errors=[field_error("name", "already used")]
    )


def _check_name_free(session: Session, *, workspace_id: int, name: str, kpi_id: int | None = None) -> None:
    where = [
        Kpi.workspace_id == workspace_id,
        Kpi.archived == False,  # noqa: E712  (SQL, not Python)
        func.lower(Kpi.name) == name.lower(),
    ]
    if kpi_id is not None:
        where.append(Kpi.id != kpi_id)
    if session.exec(select(Kpi.id).where(*where).limit(1)).first() is not None:
        raise _name_taken(name)


def _save(session: Session, kpi: Kpi, changes: dict | None = None) -> Kpi:
    try:
        return save(session, kpi, changes)
    except IntegrityError:  # only the unique active name can fail; a concurrent request won the race
        raise _name_taken(kpi.name) from None


def get_kpi(*, session: Session, workspace_id: int, kpi_id: int) -> Kpi:
    """The KPI, if it belongs to the workspace."""
    return get_scoped(session, Kpi, workspace_id, kpi_id, "KPI")


def _formula_error(message: str) -> Invalid:
    return Invalid.field("formula", message)


def _resolver(graph: formula.Graph):
    by_name = {node.name.lower(): kpi_id for kpi_id, node in graph.nodes.items() if not node.archived}

    def lookup(ref: formula.Ref) -> int:
        if ref.kpi_id is not None:
            node = graph.nodes.get(ref.kpi_id)
            if node is None:
                raise formula.FormulaError(
                    f"no KPI {ref.kpi_id} in this workspace ([#{ref.kpi_id}] at position {ref.position})"
                )
            if node.archived:
                raise formula.FormulaError(
                    f"KPI {node.name!r} ([#{ref.kpi_id}] at position {ref.position}) is archived"
                )
            return ref.kpi_id
        found = by_name.get(ref.name.lower())
        if found is None:
            raise formula.FormulaError(
                f"unknown KPI [{ref.name}] at position {ref.position}: no active KPI of this workspace has that name"
            )
        return found

    return lookup


def resolve_formula(*, session: Session, workspace_id: int, text: str, kpi_id: int | None = None) -> str:
    """The canonical form ([#id] references) of a formula given by names or ids; refuses unknown KPIs and cycles."""
    graph = figures.workspace_graph(session, workspace_id)
    try:
        tree = formula.resolve(formula.parse(text), _resolver(graph))
    except formula.FormulaError as exc:
        raise _formula_error(str(exc)) from None
    used = formula.inputs(tree)
    if not used:
        raise _formula_error("a formula must use at least one KPI, e.g. [Cost] / [Conversions]")
    if kpi_id is not None and kpi_id in used:
        raise _formula_error("a KPI cannot use itself in its formula")
    chain = graph.cycle(kpi_id, used) if kpi_id is not None else None
    if chain:
        names = " → ".join(graph.nodes[k].name for k in chain)
        raise _formula_error(f"formulas would go round in a circle: {names}")
    return formula.render(tree)


def _source_and_formula(session: Session, *, workspace_id: int, kpi: Kpi | None, changes: dict, sent: set[str]) -> dict:
    """The source and canonical formula to store: a KPI with a formula is derived, and only then."""
    out = {}
    if "formula" in changes:
        text = changes["formula"]
        out["formula"] = text and resolve_formula(
            session=session, workspace_id=workspace_id, text=text, kpi_id=kpi.id if kpi else None
        )
    has_formula = out.get("formula", kpi.formula if kpi else None) is not None
    source = changes.get("source") if "source" in sent else None
    if has_formula:
        if source is not None and source != Source("derived"):
            raise Invalid.field("source", "a KPI with a formula is derived; remove the formula first")
        out["source"] = Source("derived")
    elif source == Source("derived"):
        raise Invalid.field("source", "derived needs a formula")
    elif kpi is not None and kpi.source == Source("derived") and source is None:
        out["source"] = Source("api")  # the formula was removed
    return out


def create_kpi(*, session: Session, workspace_id: int, data: KpiCreate) -> Kpi:
    """Add a KPI to the workspace; its name must be free among the active KPIs."""
    _check_currency(data.unit, data.currency_code)
    status.check_thresholds(
        mode=data.threshold_mode, amber=data.amber_threshold, red=data.red_threshold, direction=data.direction
    )
    _check_name_free(session, workspace_id=workspace_id, name=data.name)
    derived = _source_and_formula(
        session,
        workspace_id=workspace_id,
        kpi=None,
        changes={"formula": data.formula, "source": data.source},
        sent=set(data.model_fields_set),
    )
    return _save(session, Kpi.model_validate(data, update={"workspace_id": workspace_id, **derived}))


def update_kpi(*, session: Session, workspace_id: int, kpi_id: int, data: KpiUpdate) -> Kpi:
    """Change the fields the caller sent; the merged KPI must still be consistent."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    changes = data.model_dump(exclude_unset=True)
    _check_currency(changes.get("unit", kpi.unit), changes.get("currency_code", kpi.currency_code))
    status.check_thresholds(
        mode=changes.get("threshold_mode", kpi.threshold_mode),
        amber=changes.get("amber_threshold", kpi.amber_threshold),
        red=changes.get("red_threshold", kpi.red_threshold),
        direction=changes.get("direction", kpi.direction),
    )
    if "name" in changes and not kpi.archived:
        _check_name_free(session, workspace_id=workspace_id, name=changes["name"], kpi_id=kpi.id)
    changes.update(_source_and_formula(session, workspace_id=workspace_id, kpi=kpi, changes=changes, sent=set(changes)))
    return _save(session, kpi, changes)


def _names(graph: formula.Graph, ids: list[int]) -> str:
    return ", ".join(repr(graph.nodes[i].name) for i in ids)


def _check_archivable(session: Session, kpi: Kpi, archived: bool) -> None:
    """An input of an active formula stays until the formula changes; a formula comes back only with its inputs."""
    graph = figures.workspace_graph(session, kpi.workspace_id)
    if archived:
        users = graph.dependents(kpi.id)
        if users:
            raise Conflict(
                f"{kpi.name!r} is used by the formula of {_names(graph, users)}; change or archive "
                f"{'it' if len(users) == 1 else 'them'} first.",
                errors=[field_error("archived", f"used by the formula of {_names(graph, users)}")],
            )
        return
    gone = [i for i in graph.inputs(kpi.id) if graph.nodes[i].archived]
    if gone:
        raise Conflict(
            f"The formula of {kpi.name!r} uses archived KPIs: {_names(graph, gone)}; restore them first.",
            errors=[field_error("formula", f"uses archived KPIs: {_names(graph, gone)}")],
        )


def set_archived(*, session: Session, workspace_id: int, kpi_id: int, archived: bool) -> Kpi:
    """Archive or restore a KPI; restoring needs its name to be free again."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    if kpi.archived and not archived:
        _check_name_free(session, workspace_id=workspace_id, name=kpi.name, kpi_id=kpi.id)
    if kpi.archived != archived:
        _check_archivable(session, kpi, archived)
    return _save(session, kpi, {"archived": archived})
