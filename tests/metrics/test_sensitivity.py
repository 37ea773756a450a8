"""The index ranking on a consistent panel, its Monte Carlo uncertainty and sensitivity, on the bundled data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from autarky.metrics import sensitivity
from autarky.metrics.cli import index_command
from autarky.metrics.contributions import index_contributions
from autarky.metrics.definitions import definitions_for
from tests.support.metrics import stored


@pytest.fixture
def panel(loaded_app):
    spec = definitions_for(loaded_app.catalog, loaded_app.config).index
    return sensitivity.build_panel(index_contributions(loaded_app.store), spec)


def test_panel_compares_every_economy_on_one_year(loaded_app, panel):
    # 2022 is the latest year with all 14 economies; 2023 has only the economies with early R&D data
    assert panel.year == 2022 and len(panel.countries) == 14
    for country, value in zip(panel.countries, panel.index):
        assert stored(loaded_app.store, f"derived:SR.INDEX:{country}")[2022] == pytest.approx(value, rel=1e-12)
        for code, year in panel.rests_on(country):
            assert 2022 - 2 <= year <= 2022  # carried forward at most carry_forward years
    assert "SR.PCT.GDP" not in panel.components and "SR.PAT.RESD.SHARE" not in panel.components
    # economies scored on different component sets: the panel says how many each rests on
    counts = panel.present.sum(axis=1)
    assert counts.min() < counts.max() == len(panel.components)


def test_default_scenario_reproduces_the_stored_index(panel):
    result = sensitivity.analyse(panel, draws=50)
    by_country = result.table.set_index("country")
    assert by_country.loc[list(panel.countries), "value"].to_numpy() == pytest.approx(panel.index, rel=1e-12)
    expected = pd.Series(panel.index, index=panel.countries).rank(ascending=False, method="min").astype(int)
    assert (by_country.loc[list(panel.countries), "rank"] == expected.to_numpy()).all()


def test_monte_carlo_is_seeded_and_intervals_contain_the_point_rank(panel):
    first, again = sensitivity.analyse(panel, seed=16), sensitivity.analyse(panel, seed=16)
    pd.testing.assert_frame_equal(first.table, again.table)
    pd.testing.assert_frame_equal(first.influence, again.influence)
    table = first.table
    assert ((table["low"] <= table["rank"]) & (table["rank"] <= table["high"])).all()
    assert ((table["low"] <= table["median_rank"]) & (table["median_rank"] <= table["high"])).all()
    assert (table["high"] > table["low"]).any()  # the choices do move ranks
    assert set(first.influence["choice"]) >= {f"leave out {c}" for c in panel.components} | {
        "rank normalisation", "zscore normalisation", "geometric aggregation"}


def test_aggregation_reweights_within_pillars_by_hand():
    scores = np.array([[[10.0, 30.0, 50.0]]])  # one draw, one economy; pillars: (0, 1) and (2)
    weights = np.array([[0.25, 0.25, 0.5]])
    groups = np.array([0, 0, 1])
    full = np.ones((1, 1, 3), bool)
    assert sensitivity.aggregate(scores, weights, full, groups, np.array([False]))[0, 0] == pytest.approx(
        0.5 * 20 + 0.5 * 50)
    without_first = full.copy()
    without_first[..., 0] = False  # the pillar keeps its half: all of it on the second component
    assert sensitivity.aggregate(scores, weights, without_first, groups, np.array([False]))[0, 0] == pytest.approx(
        0.5 * 30 + 0.5 * 50)
    assert sensitivity.aggregate(scores, weights, full, groups, np.array([True]))[0, 0] == pytest.approx(
        10 ** 0.25 * 30 ** 0.25 * 50 ** 0.5)
    assert sensitivity.ranks(np.array([[3.0, 1.0, 2.0]])).tolist() == [[1, 3, 2]]


def test_index_command_prints_the_rank_interval_and_no_pct_component(loaded_app):
    out = CliRunner().invoke(index_command, ["--country", "CHN"], obj=loaded_app, catch_exceptions=False).output
    assert re.search(r"rank \d+ of 14 \(90% interval \d+-\d+, median \d+\)", out)
    assert "SR.PCT.GDP" not in out
    assert re.search(r"score rests on 8 of 9 components: SR.ROYL.COVER 2022, ", out)
    table = CliRunner().invoke(index_command, ["--country", "CHN", "--sensitivity"], obj=loaded_app).output
    assert table.startswith("Panel year 2022: 14 economies")
    assert "| China (CHN) |" in table and "| leave out SR.USPTO.GDP |" in table


def test_forecast_stage_plans_the_pillars_like_the_index(loaded_app):
    from autarky.forecast.runner import plan_refresh
    keys = ["derived:SR.INDEX:CHN", "derived:SR.INDEX.DEP:CHN", "derived:SR.INDEX.CAP:CHN"]
    tasks, considered, unchanged = plan_refresh(loaded_app.store, loaded_app.catalog, {}, keys)
    assert (considered, unchanged) == (3, 0)
    by_key = {task.key: task for task, _, _ in tasks}
    assert set(by_key) == set(keys)
    for key in keys[1:]:
        assert by_key[key].frequency == "A" and len(by_key[key].values) > 20  # annual, history since the 1990s
        assert loaded_app.catalog.indicator(key.split(":")[1]).category == "composite"
