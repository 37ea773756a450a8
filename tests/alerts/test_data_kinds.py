"""Kinds that read forecasts, revisions and the run log, through the engine on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from autarky.forecast import read as forecasts
from autarky.alerts import engine
from autarky.forecast.tables import ForecastPoint, ForecastRun
from autarky.models import Series, utcnow
from autarky.pipeline import DOWNSTREAM, run_downstream
from autarky.store import BatchResult, ObservationIn
from tests.support.alerts import SHARE_KEY, T0, load_bundled, make_app, rule, store_resident_patent_share, write_config

HOUR = dt.timedelta(hours=1)
PATENTS = "wb:IP.PAT.RESD:CHN"


def add_forecast(store, key, *, last_year, points, samples=None, created_at=None, model="theta"):
    """A forecast run as the forecast stage stores it: points {year: (yhat, lo95, hi95)} and sample paths."""
    with store.writing() as session:
        series_id = session.scalar(select(Series.id).where(Series.key == key))
        run = ForecastRun(series_id=series_id, model=model, status="ok", horizon=len(points), n_obs=20,
                          last_period=dt.date(last_year, 1, 1), samples=samples, created_at=created_at or utcnow())
        session.add(run)
        session.flush()
        for year, (yhat, lo, hi) in points.items():
            session.add(ForecastPoint(run_id=run.id, ds=dt.date(year, 1, 1), yhat=yhat, lo95=lo, hi95=hi,
                                      lo80=(yhat + lo) / 2, hi80=(yhat + hi) / 2))
        return run.id


def crossing_paths(hits: int, total: int = 10) -> list[list[float]]:
    """Sample paths over 2022-2030: `hits` of them reach 0.96 by 2030, the rest stay at 0.92."""
    return [[0.92] * 8 + [0.96 if i < hits else 0.92] for i in range(total)]


CROSSING_RULE = rule("P(resident share >= 0.95 by 2030)", "forecast_crossing", series=SHARE_KEY, level=0.95, by=2030,
                     p=0.5, recover_p=0.4)
YEARS = range(2022, 2031)


def test_forecast_crossing_fires_holds_with_hysteresis_and_resolves(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    load_bundled(store, catalog, "IP.PAT.NRES", ("CHN",))
    store_resident_patent_share(store)
    assert checker(CROSSING_RULE, T0).evaluation.outcomes[0].check.holds is None  # no forecast yet: nothing to judge
    points = {y: (0.92, 0.88, 0.97) for y in YEARS}
    run = add_forecast(store, SHARE_KEY, last_year=2021, points=points, samples=crossing_paths(6))
    assert forecasts.crossing_probability(store, SHARE_KEY, 0.95, dt.date(2030, 12, 31)) == 0.6
    checker(CROSSING_RULE, T0 + HOUR)
    assert len(smtp.received) == 1
    text = smtp.received[0].parts["text/plain"]
    assert f"P(value ≥ 0.95 by 2030-12-31) = 60% (at least 50%, forecast run {run})" in text
    add_forecast(store, SHARE_KEY, last_year=2021, points=points, samples=crossing_paths(5))
    add_forecast(store, SHARE_KEY, last_year=2021, points=points, samples=crossing_paths(4))  # 40%: still firing
    checker(CROSSING_RULE, T0 + 2 * HOUR)
    assert len(smtp.received) == 1
    add_forecast(store, SHARE_KEY, last_year=2021, points=points, samples=crossing_paths(3))
    checker(CROSSING_RULE, T0 + 3 * HOUR)
    assert len(smtp.received) == 2 and "RESOLVED" in smtp.received[1].message["Subject"]


OUTSIDE_RULE = rule("patents outside the forecast band", "outside_band", series=PATENTS)


def test_outside_band_compares_a_new_value_with_the_forecast_made_before_it(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",), until=2020)
    before = add_forecast(store, PATENTS, last_year=2020, model="theta",
                          points={2021: (1_350_000, 1_290_000, 1_410_000), 2022: (1_380_000, 1_280_000, 1_480_000)})
    assert checker(OUTSIDE_RULE, T0).evaluation.outcomes[0].check.holds is None  # 2020 had no forecast before it
    store.write_observations([ObservationIn(PATENTS, 2021, 1426644)])  # the real 2021 figure arrives
    # The forecast stage then refits on it; that newer run must not be the yardstick for 2021.
    add_forecast(store, PATENTS, last_year=2021, model="arima",
                 points={2022: (1_500_000, 1_400_000, 1_600_000), 2023: (1_560_000, 1_420_000, 1_700_000)})
    found = forecasts.forecast_before(store, PATENTS, dt.date(2021, 1, 1), dt.date(2022, 1, 1))
    assert found["run_id"] == before and found["hi95"] == 1_410_000
    checker(OUTSIDE_RULE, T0 + HOUR)
    assert len(smtp.received) == 1
    assert (f"1,426,644 in 2021 is outside the 95% interval 1,290,000 to 1,410,000 forecast before it (model theta, "
            f"run {before}, predicted 1,350,000)") in smtp.received[0].parts["text/plain"]
    checker(OUTSIDE_RULE, T0 + 2 * HOUR)  # the same surprise is reported once
    store.write_observations([ObservationIn(PATENTS, 2022, 1_550_000)])  # inside the newer run's band
    report = checker(OUTSIDE_RULE, T0 + 3 * HOUR)
    assert report.evaluation.outcomes[0].step.state.state == "resolved"
    assert len(smtp.received) == 1  # event kinds send no resolved notice unless asked


REVISION_RULE = rule("patents revised", "revision", series=PATENTS, pct=3)


def test_revision_of_a_past_value_beyond_the_percentage(store, catalog, smtp, checker):
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    checker(REVISION_RULE, T0)
    store.write_observations([ObservationIn(PATENTS, 2020, 1_300_000), ObservationIn(PATENTS, 2019, 1_250_000)])
    checker(REVISION_RULE, T0 + HOUR)
    assert len(smtp.received) == 1
    text = smtp.received[0].parts["text/plain"]
    assert "2 value(s) revised on" in text and "1 by more than 3%: 2020: 1,344,817 -> 1,300,000 (-3.3%)" in text
    store.write_observations([ObservationIn(PATENTS, 2018, 1_400_000)])  # +0.4%: a small revision
    checker(REVISION_RULE, T0 + 2 * HOUR)
    assert engine.load_states(store)[("patents revised", PATENTS)].state == "resolved"
    assert len(smtp.received) == 1


def test_staleness_of_a_collector_by_failures_and_by_age(store, smtp, checker):
    rules = rule("Comtrade stale", "staleness", ("data-ops@example.org",), source="comtrade", days=60, failures=3)
    now = utcnow()
    assert checker(rules, now).evaluation.outcomes[0].check.summary == "comtrade has never run"
    ok = store.start_run("comtrade")
    store.finish_run(ok, BatchResult(inserted=24))
    for _ in range(3):
        store.finish_run(store.start_run("comtrade"), error="HTTP 401: Access denied due to invalid subscription key")
    checker(rules, now + HOUR)
    assert len(smtp.received) == 1
    assert "3 failed run(s) in a row, last error: HTTP 401" in smtp.received[0].parts["text/plain"]
    assert "data_health?source=comtrade" in smtp.received[0].parts["text/plain"]
    store.finish_run(store.start_run("comtrade"), BatchResult(unchanged=24))  # works again, but brings nothing new
    checker(rules, now + 2 * HOUR)
    assert "RESOLVED" in smtp.received[-1].message["Subject"]
    checker(rules, now + dt.timedelta(days=61, hours=3))
    assert "FIRING" in smtp.received[-1].message["Subject"] and len(smtp.received) == 3
    assert "last new data 61 days ago" in smtp.received[-1].parts["text/plain"]


def test_alerts_run_last_in_the_pipeline(store, catalog, smtp, database_url, tmp_path):
    assert DOWNSTREAM[-1][0] == "alerts"
    load_bundled(store, catalog, "IP.PAT.RESD", ("CHN",))
    rules = rule("China resident patents above 1m", "threshold", series=PATENTS, above=1000000)
    app = make_app(write_config(tmp_path, database_url, rules))
    try:
        result = run_downstream(app, frozenset({PATENTS}), stages=["alerts"])
        assert result.by_stage == {"alerts": frozenset()}
        assert len(smtp.received) == 1
        run_downstream(app, frozenset({PATENTS}), stages=["alerts"])
        assert len(smtp.received) == 1
    finally:
        app.close()
