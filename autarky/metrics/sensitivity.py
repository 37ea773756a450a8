"""Uncertainty and sensitivity of the index ranking (OECD/JRC Handbook on Constructing Composite Indicators, step 7).

A ranking compares economies on one year, the panel year: the latest year in which the most economies have an
index value. Each Monte Carlo draw re-scores that panel from the stored contributions with
- weights drawn from a Dirichlet distribution around the defaults (alpha = concentration * n * default weight),
- a normalisation: min-max or z-score on the base period (as the index), or the rank among the panel economies,
- an aggregation: arithmetic, or geometric on scores re-scaled to 1-100 across the panel,
- none or one component left out (uniformly among the n + 1 choices),
weights re-scaled within each pillar over the components present, as the index does. Seeded: the same seed and
data give the same intervals. Everything is vectorised over draws x economies x components.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from autarky.metrics.definitions import builtin_table
from autarky.metrics.index import MINMAX_SCALE, IndexSpec

NORMALISATIONS = ("minmax", "zscore", "rank")
AGGREGATIONS = ("arithmetic", "geometric")
INTERVAL = (5, 95)  # percentiles of the rank: a 90% interval
DEFAULTS = {"draws": 2000, "seed": 16, "concentration": 10}


def settings() -> dict[str, int]:
    """The [sensitivity] table of the metrics file (draws, seed, concentration)."""
    return {**DEFAULTS, **builtin_table("sensitivity")}


@dataclass(frozen=True)
class Panel:
    """One year's components for the economies with an index value that year, as the index used them."""

    year: int
    countries: tuple[str, ...]
    components: tuple[str, ...]
    used: np.ndarray  # economies x components: the value scored (after log), NaN when absent
    value_years: np.ndarray  # economies x components: the year the value comes from (carry-forward), 0 if absent
    base: dict[str, np.ndarray]  # min, max, mean, sd per component over the base period
    directions: np.ndarray
    weights: np.ndarray  # configured weights
    groups: np.ndarray  # pillar number of each component
    index: np.ndarray  # the stored index value per economy

    @property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.used)

    def rests_on(self, country: str) -> list[tuple[str, int]]:
        """(component, year of its value) for the components an economy's score rests on."""
        row = self.countries.index(country)
        return [(c, int(self.value_years[row, j])) for j, c in enumerate(self.components) if self.present[row, j]]


def panel_year(frame: pd.DataFrame) -> int | None:
    """The latest year in which the most economies have an index value (None without any)."""
    if frame.empty:
        return None
    counts = frame.groupby(frame["period"].dt.year)["country"].nunique()
    return int(counts[counts == counts.max()].index.max())


def build_panel(frame: pd.DataFrame, spec: IndexSpec, year: int | None = None) -> Panel | None:
    """The panel of `year` (default: panel_year) from stored contributions of the index."""
    year = panel_year(frame) if year is None else year
    rows = frame[frame["period"].dt.year == year] if year is not None else frame.iloc[0:0]
    if rows.empty:
        return None
    countries = tuple(sorted(rows["country"].unique()))
    components = tuple(c for c in spec.components if c in set(rows["component"]))
    wide = rows.pivot(index="country", columns="component", values="value_used").reindex(
        index=list(countries), columns=list(components))
    years = rows.assign(vy=pd.to_datetime(rows["value_period"]).dt.year).pivot(
        index="country", columns="component", values="vy").reindex(index=list(countries), columns=list(components))
    first = rows.groupby("component").first().reindex(list(components))
    pillar_of = {c: i for i, p in enumerate(spec.pillars) for c in p.components}
    index = rows.groupby("country")["contribution"].sum().reindex(list(countries))
    groups = np.array([pillar_of.get(c, 0) for c in components])
    # a component no economy has this year hands its weight to its pillar: each pillar keeps its configured mass
    weights = np.array([spec.weights[c] for c in components], float)
    mass = {i: sum(spec.weights[c] for c in spec.components if pillar_of.get(c, 0) == i) for i in set(groups)}
    weights *= np.array([mass[g] / weights[groups == g].sum() for g in groups])
    return Panel(year=year, countries=countries, components=components, used=wide.to_numpy(float),
                 value_years=years.fillna(0).to_numpy(int),
                 base={k: first[f"base_{k}"].to_numpy(float) for k in ("min", "max", "mean", "sd")},
                 directions=np.array([spec.directions[c] for c in components], float),
                 weights=weights, groups=groups, index=index.to_numpy(float))


def normalised(panel: Panel) -> np.ndarray:
    """Scores (normalisations x economies x components), higher = more self-reliant, NaN when absent."""
    d, used, base = panel.directions, panel.used, panel.base
    span = base["max"] - base["min"]
    minmax = MINMAX_SCALE * np.where(d > 0, used - base["min"], base["max"] - used) / span
    zscore = d * (used - base["mean"]) / base["sd"]
    turned = pd.DataFrame(d * used)
    count = turned.notna().sum(axis=0).to_numpy()
    rank = MINMAX_SCALE * (turned.rank(axis=0).to_numpy() - 1) / np.maximum(count - 1, 1)
    rank = np.where(count > 1, rank, MINMAX_SCALE / 2)
    return np.stack([minmax, zscore, np.where(panel.present, rank, np.nan)])


def _positive(scores: np.ndarray) -> np.ndarray:
    """Scores re-scaled to 1-100 per component across the panel, for the geometric mean."""
    low, high = np.nanmin(scores, axis=-2, keepdims=True), np.nanmax(scores, axis=-2, keepdims=True)
    spread = np.where(high > low, high - low, 1.0)
    return 1 + 99 * (scores - low) / spread


def aggregate(scores: np.ndarray, weights: np.ndarray, mask: np.ndarray, groups: np.ndarray,
              geometric: np.ndarray) -> np.ndarray:
    """Index values (draws x economies) of scores (draws x economies x components), weights (draws x components),
    mask (draws x economies x components) and geometric (draws,) flags; weights re-scaled within each pillar."""
    onehot = np.eye(groups.max() + 1)[groups]  # components x pillars
    held_weights = weights[:, None, :] * mask
    held = held_weights @ onehot  # draws x economies x pillars
    mass = weights @ onehot  # draws x pillars
    total = ((held > 0) * mass[:, None, :]).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(held > 0, mass[:, None, :] / held, 0.0) @ onehot.T
        effective = held_weights * factor / total[..., None]
        safe = np.where(mask, scores, 1.0)
        arithmetic = (effective * np.where(mask, scores, 0.0)).sum(-1)
        geometric_mean = np.exp((effective * np.log(np.where(mask, safe, 1.0))).sum(-1))
    return np.where(geometric[:, None], geometric_mean, arithmetic)


def ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each economy in each draw, 1 = highest value."""
    return 1 + (values[..., :, None] < values[..., None, :]).sum(-1)


@dataclass(frozen=True)
class Sensitivity:
    panel: Panel
    table: pd.DataFrame  # per economy: value, rank, median_rank, low, high, components
    influence: pd.DataFrame  # per choice: mean and largest absolute rank shift from the default
    draws: int
    seed: int


def _scenario(panel: Panel, scores: np.ndarray, normalisation: int, geometric: bool, drop: int) -> np.ndarray:
    mask = panel.present.copy()
    if drop >= 0:
        mask[:, drop] = False
    chosen = _positive(scores[normalisation]) if geometric else scores[normalisation]
    return aggregate(chosen[None], panel.weights[None], mask[None], panel.groups, np.array([geometric]))[0]


def analyse(panel: Panel, draws: int | None = None, seed: int | None = None,
            concentration: float | None = None) -> Sensitivity:
    """Median rank and 90% rank interval of every economy, and what moves the ranking most."""
    config = settings()
    draws, seed = int(draws or config["draws"]), int(config["seed"] if seed is None else seed)
    concentration = float(concentration or config["concentration"])
    rng = np.random.default_rng(seed)
    n = len(panel.components)
    scores = normalised(panel)
    stacked = np.concatenate([scores, _positive(scores)])  # minmax, zscore, rank, then the same re-scaled
    default = panel.weights / panel.weights.sum()
    weights = rng.dirichlet(concentration * n * default, size=draws)
    normalisation = rng.integers(0, len(NORMALISATIONS), size=draws)
    geometric = rng.integers(0, 2, size=draws).astype(bool)
    drop = rng.integers(-1, n, size=draws)  # -1: nothing left out
    mask = np.broadcast_to(panel.present, (draws, *panel.present.shape)).copy()
    dropped = drop >= 0
    mask[np.nonzero(dropped)[0], :, drop[dropped]] = False
    chosen = stacked[normalisation + len(NORMALISATIONS) * geometric]
    mc = ranks(aggregate(chosen, weights, mask, panel.groups, geometric))
    point = _scenario(panel, scores, 0, False, -1)
    point_rank = ranks(point)
    low, median, high = np.percentile(mc, [INTERVAL[0], 50, INTERVAL[1]], axis=0, method="nearest")
    table = pd.DataFrame({"country": panel.countries, "value": point, "rank": point_rank,
                          "median_rank": median.astype(int), "low": low.astype(int), "high": high.astype(int),
                          "components": panel.present.sum(1)})
    choices = ([(f"leave out {c}", 0, False, j) for j, c in enumerate(panel.components)]
               + [(f"{name} normalisation", k, False, -1) for k, name in enumerate(NORMALISATIONS) if k]
               + [("geometric aggregation", 0, True, -1)])
    shifts = [(label, np.abs(ranks(_scenario(panel, scores, k, g, j)) - point_rank)) for label, k, g, j in choices]
    influence = pd.DataFrame({"choice": [s[0] for s in shifts],
                              "mean_shift": [float(s[1].mean()) for s in shifts],
                              "largest_shift": [int(s[1].max()) for s in shifts],
                              "most_moved": [panel.countries[int(s[1].argmax())] for s in shifts]})
    influence = influence.sort_values(["mean_shift", "largest_shift"], ascending=False, kind="stable")
    return Sensitivity(panel, table.sort_values(["rank", "country"]).reset_index(drop=True),
                       influence.reset_index(drop=True), draws, seed)


def rank_line(result: Sensitivity, country: str) -> str:
    """`rank 5 of 14 (90% interval 3-8)` for one economy of the panel."""
    row = result.table.set_index("country").loc[country]
    return (f"rank {int(row['rank'])} of {len(result.table)} (90% interval {int(row['low'])}-{int(row['high'])}, "
            f"median {int(row['median_rank'])})")


def markdown(result: Sensitivity, names: dict[str, str], pillars: dict[str, dict[str, float]]) -> str:
    """The sensitivity results as Markdown tables (METHODOLOGY.md)."""
    panel = result.panel
    heads = list(pillars)
    lines = [f"Panel year {panel.year}: {len(panel.countries)} economies, {len(panel.components)} components; "
             f"{result.draws} Monte Carlo draws, seed {result.seed}.", "",
             "| economy | index | " + " | ".join(heads) + " | rank | median rank | 90% interval | components |",
             "|---|---:|" + "---:|" * len(heads) + "---:|---:|---:|---:|"]
    for row in result.table.itertuples():
        cells = " | ".join(f"{pillars[h].get(row.country, float('nan')):.1f}" for h in heads)
        lines.append(f"| {names.get(row.country, row.country)} ({row.country}) | {row.value:.1f} | {cells} | "
                     f"{row.rank} | {row.median_rank} | {row.low}-{row.high} | {row.components} of "
                     f"{len(panel.components)} |")
    lines += ["", "| choice | mean rank shift | largest shift | economy moved most |", "|---|---:|---:|---|"]
    lines += [f"| {r.choice} | {r.mean_shift:.2f} | {r.largest_shift} | {r.most_moved} |"
              for r in result.influence.itertuples()]
    return "\n".join(lines)
