"""Bagged exponential smoothing: the bootstrap of R's bld.mbb.bootstrap and the average over the copies' fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autarky.forecast.bagging import block_size, bootstrap_series, decompose, moving_blocks
from autarky.forecast.interface import SeriesContext
from autarky.forecast.models import BAGS, _bagged, _statsforecast, _ets, get_model

START, MONTHLY, ANNUAL = pd.Timestamp("2010-01-01"), SeriesContext("M"), SeriesContext("A")


def _employment() -> np.ndarray:
    from autarky.forecast.datasets import us_employment
    return us_employment().query("unique_id == 'CEU1021100001'")["y"].to_numpy()[-120:]


def test_block_size_is_two_seasons_or_at_most_eight_points():
    assert block_size(120, 12) == 24 and block_size(40, 4) == 8
    assert block_size(30, 1) == 8 and block_size(10, 1) == 5 and block_size(3, 1) == 1


def test_moving_blocks_are_runs_of_consecutive_values_from_the_series():
    x = np.arange(50.0) * 10                      # each value tells where it came from
    rng = np.random.default_rng(4)
    out = moving_blocks(x, 6, rng)
    assert len(out) == 50 and set(out) <= set(x)
    breaks = int(np.sum(np.diff(out) != 10))      # a jump other than one step is a new block
    assert breaks <= 50 // 6 + 1
    assert not np.array_equal(out, x)
    assert np.array_equal(moving_blocks(x, 6, np.random.default_rng(4)), out)        # seeded: reproducible


def test_decompose_leaves_only_the_noise_in_the_remainder():
    t = np.arange(96.0)
    noise = np.random.default_rng(0).normal(0, 0.05, 96)
    z = 5 + 0.1 * t + np.tile([0, 1, 3, 2, -1, -2, -3, -1, 0, 1, 0, 0.0], 8) + noise
    base, remainder = decompose(z, 12)
    assert base + remainder == pytest.approx(z)
    assert np.max(np.abs(remainder)) < 0.15 and np.corrcoef(remainder, noise)[0, 1] > 0.8     # season 3, trend 9.5
    line = 3 + 0.5 * np.arange(30.0)
    base, remainder = decompose(line, 1)          # LOESS of degree 1 keeps a straight line
    assert np.max(np.abs(remainder)) < 1e-8 and base == pytest.approx(line)


def test_bootstrap_keeps_the_series_first_and_resamples_only_the_remainder():
    y = _employment()
    rng = np.random.default_rng(0)
    copies = bootstrap_series(y, 12, 5, rng, np.log, np.exp)
    assert len(copies) == 5 and np.array_equal(copies[0], y)
    base, remainder = decompose(np.log(y), 12)
    for copy in copies[1:]:
        assert len(copy) == len(y) and np.all(copy > 0) and not np.allclose(copy, y)
        resampled = np.log(copy) - base           # the copy's remainder is made of the series' own remainder values
        assert np.all(np.min(np.abs(resampled[:, None] - remainder[None, :]), axis=1) < 1e-9)
    assert len(bootstrap_series(y, 12, 1, rng, np.log, np.exp)) == 1


def test_bagged_ets_averages_autoets_over_the_series_and_its_bootstrapped_copies():
    """The point and every band are the mean of AutoETS's over the same copies (the Box-Cox pair of `_bc`), the
    bands ordered around the point; one copy is AutoETS itself; another seed gives other copies."""
    from autarky.forecast.models import _boxcox_pair
    from statsforecast.models import AutoETS
    y = _employment()
    ours = get_model("bagged_ets").forecast(y, START, 12, MONTHLY, n_paths=30, seed=7)
    copies = bootstrap_series(y, 12, BAGS, np.random.default_rng(7), *_boxcox_pair(y, 12))
    fits = [AutoETS(season_length=12).forecast(y=c, h=12, level=[80, 95]) for c in copies]
    assert BAGS == 20
    assert ours.mean == pytest.approx(np.mean([f["mean"] for f in fits], axis=0))
    assert ours.lo95 == pytest.approx(np.mean([f["lo-95"] for f in fits], axis=0))
    assert ours.hi80 == pytest.approx(np.mean([f["hi-80"] for f in fits], axis=0))
    assert np.all(ours.lo95 < ours.lo80) and np.all(ours.lo80 < ours.mean) and np.all(ours.mean < ours.hi80)
    assert np.all(ours.hi80 < ours.hi95) and ours.paths.shape == (30, 12)
    assert not np.allclose(ours.mean, get_model("ets").forecast(y, START, 12, MONTHLY).mean)
    assert not np.allclose(ours.mean, get_model("bagged_ets").forecast(y, START, 12, MONTHLY, seed=8).mean)
    single = _bagged(_statsforecast(_ets), copies=1)(y, START, 12, MONTHLY, 0, 7)
    assert single.mean == pytest.approx(get_model("ets").forecast(y, START, 12, MONTHLY).mean)


def test_bagging_leaves_out_copies_that_cannot_be_fitted_and_fails_only_when_none_can():
    y = np.array([3.0, 4.1, 5.0, 6.8, 7.1, 9.5, 11.0, 12.2, 15.9, 18.0, 18.5, 21.0])
    seen = []

    def every_other(series, start, h, ctx, n_paths, seed):
        seen.append(series)
        if len(seen) % 2 == 0:
            raise ValueError("cannot fit this copy")
        return get_model("naive").fit(series, start, h, ctx, n_paths, seed)

    fc = _bagged(every_other, copies=6)(y, START, 3, ANNUAL, 0, 1)
    kept = [s[-1] for s in seen[::2]]             # the naive forecast of each fitted copy is its last value
    assert len(seen) == 6 and fc.mean == pytest.approx(np.full(3, np.mean(kept)))

    def never(series, start, h, ctx, n_paths, seed):
        raise ValueError("no")
    with pytest.raises(ValueError, match="no bootstrapped copy of 12 points"):
        _bagged(never, copies=3)(y, START, 3, ANNUAL, 0, 1)


def test_bagging_a_series_with_values_at_or_below_zero_resamples_the_levels():
    y = np.sin(np.arange(40.0) / 3) + 0.05 * np.arange(40.0) - 0.5
    fc = get_model("bagged_ets").forecast(y, START, 4, ANNUAL, seed=2)
    assert np.all(np.isfinite(fc.mean)) and np.all(fc.lo95 < fc.hi95)
