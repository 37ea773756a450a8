"""Index contributions: written with each index value, read by the CLI and the dashboard to show why it moved."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import pandas as pd
from sqlalchemy import select

from autarky.metrics.index import INDEX_CODE, Contribution
from autarky.metrics.models import IndexContribution
from autarky.models import Series, utcnow
from autarky.store import Store, same_value

COLUMNS = ["series_key", "country", "period", "component", "input_key", "value_period", "raw_value",
           "value_used", "score", "weight", "effective_weight", "contribution", "base_count", "base_min",
           "base_max", "base_mean", "base_sd"]
_VALUES = tuple(COLUMNS[4:])
EXPLAIN_COLUMNS = ["component", "value_period", "raw_before", "raw_now", "score_before", "score_now", "weight_now",
                   "contribution_before", "contribution_now", "change"]


def _row_values(item: Contribution) -> dict:
    base = item.base
    return dict(input_key=item.input_key, value_period=item.value_period, raw_value=item.raw_value,
                value_used=item.value_used, score=item.score, weight=item.weight,
                effective_weight=item.effective_weight, contribution=item.contribution, base_count=base.count,
                base_min=base.minimum, base_max=base.maximum, base_mean=base.mean, base_sd=base.sd)


def _same(row: IndexContribution, values: dict) -> bool:
    return all(same_value(getattr(row, name), value) if isinstance(value, float) else getattr(row, name) == value
               for name, value in values.items())


def write_contributions(store: Store, keys: Mapping[str, str],
                        contributions: Mapping[tuple[str, dt.date], list[Contribution]]) -> tuple[int, int]:
    """Make the stored rows of each (country, period) exactly these; `keys` maps country to index series key.

    Unchanged rows are not touched. Returns (rows written, rows deleted).
    """
    written = deleted = 0
    with store.writing() as session:
        ids = dict(session.execute(select(Series.key, Series.id).where(Series.key.in_(list(keys.values())))).all())
        existing: dict[tuple[int, dt.date], dict[str, IndexContribution]] = {}
        for row in session.scalars(select(IndexContribution).where(IndexContribution.series_id.in_(ids.values()))):
            existing.setdefault((row.series_id, row.period), {})[row.component] = row
        now = utcnow()
        for (country, period), items in contributions.items():
            series_id = ids[keys[country]]
            stored = existing.get((series_id, period), {})
            for item in items:
                values = _row_values(item)
                row = stored.pop(item.component, None)
                if row is not None and _same(row, values):
                    continue
                if row is None:
                    row = IndexContribution(series_id=series_id, period=period, component=item.component)
                    session.add(row)
                for name, value in values.items():
                    setattr(row, name, value)
                row.computed_at = now
                written += 1
            for row in stored.values():
                session.delete(row)
                deleted += 1
    return written, deleted


def index_contributions(store: Store, countries: Iterable[str] | None = None, since: dt.date | None = None,
                        code: str = INDEX_CODE) -> pd.DataFrame:
    """Stored contributions, one row per country, period and component; contributions sum to the index value."""
    query = (select(Series.key, Series.country, IndexContribution.period, IndexContribution.component,
                    *[getattr(IndexContribution, name) for name in _VALUES])
             .join(Series, Series.id == IndexContribution.series_id)
             .where(Series.indicator == code)
             .order_by(Series.country, IndexContribution.period, IndexContribution.id))
    if countries is not None:
        query = query.where(Series.country.in_(list(countries)))
    if since is not None:
        query = query.where(IndexContribution.period >= since)
    with store.reading() as session:
        frame = pd.DataFrame(session.execute(query).all(), columns=COLUMNS)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def explain_change(store: Store, country: str, period: dt.date | None = None,
                   code: str = INDEX_CODE) -> pd.DataFrame:
    """Why the index moved: each component in `period` (default latest) against the index's previous period.

    One row per component: value_period, raw, score and contribution before and now, the effective weight now and
    the change in contribution (their sum is the change of the index). `attrs` holds `period`, `previous` and the
    two index values. A component present on one side only counts as 0 on the other.
    """
    frame = index_contributions(store, countries=[country], code=code)
    if frame.empty:
        return pd.DataFrame(columns=EXPLAIN_COLUMNS)
    periods = sorted(frame["period"].unique())
    now = pd.Timestamp(period) if period is not None else periods[-1]
    if now not in periods:
        return pd.DataFrame(columns=EXPLAIN_COLUMNS)
    earlier = [p for p in periods if p < now]
    current = frame[frame["period"] == now].set_index("component")
    before = frame[frame["period"] == earlier[-1]].set_index("component") if earlier else current.iloc[0:0]
    components = list(dict.fromkeys([*current.index, *before.index]))

    def column(side: pd.DataFrame, name: str) -> list:
        return list(side[name].reindex(components))

    table = pd.DataFrame({
        "component": components, "value_period": column(current, "value_period"),
        "raw_before": column(before, "raw_value"), "raw_now": column(current, "raw_value"),
        "score_before": column(before, "score"), "score_now": column(current, "score"),
        "weight_now": column(current, "effective_weight"),
        "contribution_before": column(before, "contribution"), "contribution_now": column(current, "contribution"),
    })
    table["change"] = table["contribution_now"].fillna(0.0) - table["contribution_before"].fillna(0.0)
    table.attrs.update(period=now, previous=earlier[-1] if earlier else None,
                       value=float(current["contribution"].sum()),
                       previous_value=float(before["contribution"].sum()) if earlier else None)
    return table[EXPLAIN_COLUMNS]
