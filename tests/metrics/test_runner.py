"""Derived metrics on the real bundled data, on SQLite and PostgreSQL: values, revisions, the index by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autarky.metrics.contributions import explain_change, index_contributions
from autarky.metrics.definitions import definitions_for
from autarky.metrics.formula import DIVISION_BY_ZERO
from autarky.metrics.index import TOO_FEW_COMPONENTS
from autarky.metrics.runner import METRICS_RUN, recompute, recompute_since_last_run, run_after_change
from autarky.pipeline import DOWNSTREAM, run_downstream
from autarky.snapshot import snapshot_rows
from autarky.store import ObservationIn, SeriesSpec
from tests.support.metrics import stored, year

CHINA_RESIDENT_2021, CHINA_NONRESIDENT_2021 = 1426644, 159019  # WDI IP.PAT.RESD / IP.PAT.NRES, China, 2021
SHARE_CHN, INDEX_CHN = "derived:SR.PAT.RESD.SHARE:CHN", "derived:SR.INDEX:CHN"


def _snapshot(indicator):
    """(country, year) -> value of one indicator in the bundled snapshot files, read independently of the store."""
    return {(r["country"], int(r["year"])): float(r["value"])
            for name in ("wdi.csv", "ncses.csv") for r in snapshot_rows(name) if r["indicator"] == indicator}


def _derived(store):
    frame = store.observations()
    return frame[frame["source"] == "derived"]


def test_resident_patent_share_for_every_year_with_both_inputs_and_no_other(loaded_app):
    store = loaded_app.store
    assert stored(store, SHARE_CHN)[2021] == CHINA_RESIDENT_2021 / (CHINA_RESIDENT_2021 + CHINA_NONRESIDENT_2021)
    resident, nonresident = _snapshot("IP.PAT.RESD"), _snapshot("IP.PAT.NRES")
    expected = {slot: resident[slot] / (resident[slot] + nonresident[slot])
                for slot in resident.keys() & nonresident.keys()}
    assert resident.keys() != nonresident.keys() or len(expected) > 500
    frame = store.observations(indicators=["SR.PAT.RESD.SHARE"])
    got = {(c, p.year): v for c, p, v in zip(frame["country"], frame["period"], frame["value"])}
    assert got.keys() == expected.keys()
    assert all(got[slot] == pytest.approx(expected[slot], rel=1e-15) for slot in expected)


def test_derived_series_record_formula_inputs_and_no_nan(loaded_app):
    store = loaded_app.store
    series = store.series(indicators=["SR.PAT.RESD.SHARE", "SR.RD.GAP.USA", "SR.INDEX"]).set_index("key")
    assert series.loc[SHARE_CHN, "formula"] == "IP.PAT.RESD / (IP.PAT.RESD + IP.PAT.NRES)"
    assert series.loc[SHARE_CHN, "inputs"] == ["wb:IP.PAT.RESD:CHN", "wb:IP.PAT.NRES:CHN"]
    assert series.loc["derived:SR.RD.GAP.USA:CHN", "inputs"] == ["wb:GB.XPD.RSDV.GD.ZS:CHN",
                                                                "wb:GB.XPD.RSDV.GD.ZS:USA"]
    assert "derived:SR.USPTO.GDP:CHN" in series.loc[INDEX_CHN, "inputs"]
    assert "derived:SR.PAT.RESD.SHARE:CHN" not in series.loc[INDEX_CHN, "inputs"]  # filing behaviour: out
    assert "derived:SR.PCT.GDP:CHN" not in series.loc[INDEX_CHN, "inputs"]  # receiving-office counts: out
    assert series.loc[INDEX_CHN, "category"] == "composite"
    values = _derived(store)["value"].to_numpy()
    assert len(values) > 2000 and np.isfinite(values).all()
    gap = stored(store, "derived:SR.RD.GAP.USA:CHN")
    rd = _snapshot("GB.XPD.RSDV.GD.ZS")
    assert gap[2020] == pytest.approx(rd[("CHN", 2020)] / rd[("USA", 2020)], rel=1e-15)
    assert stored(store, "derived:SR.RD.GAP.USA:USA")[2020] == 1.0


def test_china_index_has_recent_years(loaded_app):
    index = stored(loaded_app.store, INDEX_CHN)
    assert {2019, 2020, 2021, 2022, 2023} <= index.keys()
    assert all(0 <= v <= 100 for y, v in index.items() if 2010 <= y <= 2019)  # min-max within the base period


def test_second_run_writes_nothing(loaded_app):
    before = len(loaded_app.store.revisions())
    report = recompute(loaded_app, None)
    assert (report.written.inserted, report.written.updated) == (0, 0)
    assert report.written.unchanged == len(_derived(loaded_app.store))
    assert (report.contributions_written, report.contributions_deleted) == (0, 0)
    assert report.changed == frozenset()
    assert len(loaded_app.store.revisions()) == before


def test_revision_of_one_input_changes_exactly_its_dependents(loaded_app):
    # USPTO grants per GDP is in the index (capacity pillar) and NCSES publishes up to 2022: 2023 carries 2022.
    store = loaded_app.store
    uspto, capacity = "derived:SR.USPTO.GDP:CHN", "derived:SR.INDEX.CAP:CHN"
    years = {}
    for code in ("SR.INDEX", "SR.INDEX.CAP"):
        carried = index_contributions(store, countries=["CHN"], code=code)
        uses = carried[(carried["component"] == "SR.USPTO.GDP") & (carried["value_period"] == year(2022))]
        years[code] = {p.year for p in uses["period"]}
    assert {2022, 2023} <= years["SR.INDEX"] and years["SR.INDEX"] == years["SR.INDEX.CAP"]
    before = _derived(store).set_index(["series_key", "period"])["value"]
    old = stored(store, uspto)[2022]
    gdp = _snapshot("NY.GDP.MKTP.CD")[("CHN", 2022)]

    revised = store.write_observations([ObservationIn("ncses:NCSES.USPTO.UTIL:CHN", 2022, 30000, "test-revision")])
    changed = run_after_change(loaded_app, revised.changed_series)

    assert changed == {uspto, INDEX_CHN, capacity}
    revisions = store.revisions()
    derived_revisions = {(k, p.year) for k, p in zip(revisions["series_key"], revisions["period"])
                         if k.startswith("derived:")}
    assert derived_revisions == ({(uspto, 2022)} | {(INDEX_CHN, y) for y in years["SR.INDEX"]}
                                 | {(capacity, y) for y in years["SR.INDEX.CAP"]})
    row = revisions[revisions["series_key"] == uspto].iloc[0]
    assert row.old_value == old
    assert row.new_value == pytest.approx(30000 / (gdp / 1e9), rel=1e-15)
    run = store.runs(source=METRICS_RUN).iloc[0]
    assert (run.status, run.inserted, run.updated) == ("ok", 0, 1 + 2 * len(years["SR.INDEX"]))
    after = _derived(store).set_index(["series_key", "period"])["value"]
    differing = {(k, p.year) for (k, p), v in after.items() if v != before[(k, p)]}
    assert differing == derived_revisions and len(after) == len(before)


def test_index_and_pillars_reproduced_by_hand_from_stored_components(loaded_app):
    # Each pillar: the mean of the min-max scores of its components present (carried forward up to 2 years);
    # the index: the mean of the two pillars.
    store, spec = loaded_app.store, definitions_for(loaded_app.catalog, loaded_app.config).index
    economies = list(spec.indicator.countries)
    components = store.observations(indicators=list(spec.components), countries=economies)
    first, last = spec.base_period
    assert [p.code for p in spec.pillars] == ["SR.INDEX.DEP", "SR.INDEX.CAP"]
    for country, when in [("CHN", 2021), ("CHN", 2022), ("USA", 2015), ("JPN", 2022)]:
        mine = index_contributions(store, countries=[country])
        mine = mine[mine["period"].dt.year == when].set_index("component")
        pillar_means = []
        for pillar in spec.pillars:
            scores = []
            for code in pillar.components:
                rows = components[components["indicator"] == code]
                transform = np.log if code in spec.log else (lambda v: v)
                base = transform(rows[(rows["period"].dt.year >= first) & (rows["period"].dt.year <= last)]["value"])
                own = rows[(rows["country"] == country) & (rows["period"].dt.year <= when)
                           & (rows["period"].dt.year >= when - spec.carry_forward)]
                if own.empty:
                    assert code not in mine.index
                    continue
                raw = own.sort_values("period")["value"].iloc[-1]
                score = 100 * (transform(raw) - base.min()) / (base.max() - base.min())
                assert mine.loc[code, "weight"] == pytest.approx(1 / len(pillar.components))
                assert mine.loc[code, "raw_value"] == raw
                assert mine.loc[code, "score"] == pytest.approx(score, rel=1e-12)
                scores.append(score)
            pillar_means.append(sum(scores) / len(scores))
            assert stored(store, f"derived:{pillar.code}:{country}")[when] == pytest.approx(pillar_means[-1],
                                                                                          rel=1e-12)
        expected = sum(pillar_means) / 2
        assert stored(store, f"derived:SR.INDEX:{country}")[when] == pytest.approx(expected, rel=1e-12)
        assert mine["contribution"].sum() == pytest.approx(expected, rel=1e-12)


def test_index_with_zscore_and_custom_weights_reproduced_by_hand(make_app):
    app = make_app('[metrics.index]\nnormalisation = "zscore"\nweights = { "SR.PAT.RESD.SHARE" = 2 }\n'
                   'components = ["SR.PAT.RESD.SHARE", "GB.XPD.RSDV.GD.ZS", "TX.VAL.TECH.MF.ZS"]\n'
                   "min_components = 3\ncarry_forward = 0\nlog = []\n")
    from autarky.snapshot import load_snapshot
    load_snapshot(app.store, app.catalog)
    recompute(app, None)
    store, spec = app.store, definitions_for(app.catalog, app.config).index
    frame = store.observations(indicators=list(spec.components), countries=list(spec.indicator.countries))
    scores = {}
    for code in spec.components:
        rows = frame[frame["indicator"] == code]
        base = rows[rows["period"].dt.year.between(*spec.base_period)]["value"]
        own = rows[(rows["country"] == "CHN") & (rows["period"].dt.year == 2020)]["value"].iloc[0]
        scores[code] = (own - base.mean()) / base.std(ddof=0)
    expected = (2 * scores["SR.PAT.RESD.SHARE"] + scores["GB.XPD.RSDV.GD.ZS"]
                + scores["TX.VAL.TECH.MF.ZS"]) / 4
    assert stored(store, INDEX_CHN)[2020] == pytest.approx(expected, rel=1e-12)
    assert 2022 not in stored(store, INDEX_CHN)  # no resident share for 2022 and no carry-forward: 2 of 3 < 3
    assert app.catalog.indicator("SR.INDEX").unit == "z-score"


def test_reweighting_when_a_component_is_absent(loaded_app):
    # Within its pillar: each pillar keeps half the weight whatever number of its components is present.
    spec = definitions_for(loaded_app.catalog, loaded_app.config).index
    pillar_of = {c: p.code for p in spec.pillars for c in p.components}
    frame = index_contributions(loaded_app.store)
    frame["pillar"] = frame["component"].map(pillar_of)
    counts = frame.groupby(["country", "period"])["component"].count()
    partial = counts[counts < len(spec.components)]
    assert not partial.empty
    for country, period in partial.index[:20]:
        rows = frame[(frame["country"] == country) & (frame["period"] == period)]
        sizes = rows.groupby("pillar")["component"].transform("count")
        assert rows["effective_weight"].to_list() == pytest.approx(list(0.5 / sizes))
        means = rows.groupby("pillar")["score"].mean()
        assert stored(loaded_app.store, f"derived:SR.INDEX:{country}")[period.year] == pytest.approx(means.mean())


def test_too_few_components_is_a_reason_not_a_value(loaded_app):
    report = recompute(loaded_app, None)
    tally = report.tallies["SR.INDEX"]
    assert tally.missing[TOO_FEW_COMPONENTS] > 0
    assert 2024 not in stored(loaded_app.store, INDEX_CHN)  # 2024: only royalty coverage and high-tech share
    assert any("too few components: " in line for line in report.lines())


def test_division_by_zero_gives_a_reason_and_stores_nothing(make_app):
    app = make_app()
    app.store.register_sources(app.catalog)
    app.store.register_series([SeriesSpec.for_indicator(app.catalog.indicator(code), "CHN")
                               for code in ("IP.PAT.RESD", "IP.PAT.NRES")])
    result = app.store.write_observations([
        ObservationIn("wb:IP.PAT.RESD:CHN", 2020, 0, "v"), ObservationIn("wb:IP.PAT.NRES:CHN", 2020, 0, "v"),
        ObservationIn("wb:IP.PAT.RESD:CHN", 2021, 3, "v"), ObservationIn("wb:IP.PAT.NRES:CHN", 2021, 1, "v")])
    report = recompute(app, result.changed_series)
    tally = report.tallies["SR.PAT.RESD.SHARE"]
    assert (tally.values, tally.missing[DIVISION_BY_ZERO]) == (1, 1)
    assert tally.examples[DIVISION_BY_ZERO] == (f"{SHARE_CHN} 2020-01-01: "
                                                "(IP.PAT.RESD + IP.PAT.NRES) = 0")
    assert stored(app.store, SHARE_CHN) == {2021: 0.75}
    assert any("division by zero: 1" in line for line in report.lines())


def test_an_input_revised_to_zero_leaves_the_stored_value_and_reports_it_stale(loaded_app):
    store = loaded_app.store
    before = stored(store, "derived:SR.ROYL.COVER:CHN")[2015]
    revised = store.write_observations([ObservationIn("wb:BM.GSR.ROYL.CD:CHN", 2015, 0, "test")])
    report = recompute(loaded_app, revised.changed_series)
    tally = report.tallies["SR.ROYL.COVER"]
    assert tally.missing[DIVISION_BY_ZERO] == 1 and tally.stale == 1
    assert stored(store, "derived:SR.ROYL.COVER:CHN")[2015] == before
    assert all(math.isfinite(v) for v in _derived(store)["value"])
    assert any("stale: 1 stored values can no longer be computed and are kept as stored "
               "(e.g. derived:SR.ROYL.COVER:CHN 2015-01-01)" in line for line in report.lines())


def test_pipeline_runs_metrics_first_on_what_changed(loaded_app):
    assert DOWNSTREAM[0][0] == "metrics"
    revised = loaded_app.store.write_observations([ObservationIn("wb:BX.GSR.ROYL.CD:KOR", 2005, 1.5e9, "test")])
    result = run_downstream(loaded_app, revised.changed_series, stages=["metrics"])
    assert result.by_stage["metrics"] == {"derived:SR.ROYL.COVER:KOR", "derived:SR.INDEX:KOR",
                                          "derived:SR.INDEX.DEP:KOR"}
    assert run_after_change(loaded_app, frozenset()) == frozenset()


def test_metrics_command_recomputes_what_changed_since_the_last_run(loaded_app):
    assert recompute_since_last_run(loaded_app).tallies == {}
    loaded_app.store.write_observations([ObservationIn("wb:GB.XPD.RSDV.GD.ZS:USA", 2020, 3.5, "test")])
    report = recompute_since_last_run(loaded_app)
    assert "changed since" in report.scope and "1 series" in report.scope
    gap_countries = set(loaded_app.catalog.indicator("SR.RD.GAP.USA").countries)
    changed_gaps = {k.split(":")[2] for k in report.changed if k.startswith("derived:SR.RD.GAP.USA:")}
    rd = _snapshot("GB.XPD.RSDV.GD.ZS")
    assert changed_gaps == {c for c in gap_countries if (c, 2020) in rd} - {"USA"}  # the peer's own gap stays 1
    assert recompute_since_last_run(loaded_app).tallies == {}


def test_changing_the_index_components_rewrites_contributions_and_revises_values(loaded_app, make_app):
    before = stored(loaded_app.store, INDEX_CHN)
    smaller = make_app('[metrics.index]\ncomponents = ["SR.PAT.RESD.SHARE", "SR.ROYL.COVER", "GB.XPD.RSDV.GD.ZS", '
                       '"SP.POP.SCIE.RD.P6", "TX.VAL.TECH.MF.ZS"]\n')
    report = recompute(smaller, None)
    assert report.contributions_deleted > 0
    rows = index_contributions(smaller.store, countries=["CHN"])
    rows = rows[rows["period"].dt.year == 2021]
    # rows kept keep their ids, the re-added resident share comes last: compare as sets
    assert set(rows["component"]) == set(definitions_for(smaller.catalog, smaller.config).index.components)
    assert stored(smaller.store, INDEX_CHN)[2021] == pytest.approx(rows["contribution"].sum())
    assert stored(smaller.store, INDEX_CHN)[2021] != before[2021]
    revised = smaller.store.revisions(keys=[INDEX_CHN])
    assert year(2021) in set(revised["period"])
    explained = explain_change(smaller.store, "CHN", year(2021))
    assert explained["change"].sum() == pytest.approx(explained.attrs["value"] - explained.attrs["previous_value"])
