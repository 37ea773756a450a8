"""Trade coverage and net import share on a real UN Comtrade response, stored as trade series first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autarky.metrics.runner import run_after_change
from autarky.store import ObservationIn, SeriesSpec
from tests.support.metrics import stored

RESPONSE = Path(__file__).parent.parent / "fixtures" / "comtrade" / "HS-60a6ad.json"
# One test indicator per partner and flow, like a Comtrade collector's, told apart by params.partner.
INDICATOR = """
[[indicator]]
code = "CT.TOTAL.{partner}.{flow}"
name = "{flow_name} of all goods (TOTAL), partner {partner}"
category = "trade"
source = "comtrade"
unit = "US$"
frequency = "A"
direction = {direction}
countries = ["CHN"]
params = {{ hs = "TOTAL", flow = "{flow}", partner = "{code}" }}
"""


def _rows():
    return json.loads(RESPONSE.read_text(encoding="utf-8"))["data"]


def test_trade_ratios_from_the_recorded_comtrade_response(make_app):
    rows = _rows()
    partners = {r["partnerISO"]: r["partnerCode"] for r in rows}
    assert set(partners) == {"ARG", "DEU"} and {r["flowCode"] for r in rows} == {"M", "X"}
    app = make_app("".join(INDICATOR.format(partner=iso, code=code, flow=flow, direction=-1 if flow == "M" else 1,
                                            flow_name="Imports" if flow == "M" else "Exports")
                           for iso, code in partners.items() for flow in ("M", "X")))
    store = app.store
    store.register_sources(app.catalog)
    store.register_series([SeriesSpec.for_indicator(app.catalog.indicator(f"CT.TOTAL.{iso}.{flow}"), "CHN")
                           for iso in partners for flow in ("M", "X")])
    written = store.write_observations(
        [ObservationIn(f"comtrade:CT.TOTAL.{r['partnerISO']}.{r['flowCode']}:{r['reporterISO']}", r["refYear"],
                       r["primaryValue"], "comtrade-fixture") for r in rows], source="comtrade")

    changed = run_after_change(app, written.changed_series)

    assert changed == {f"derived:SR.TRADE.{kind}.TOTAL.{code}:CHN" for kind in ("COVER", "NETIMP")
                       for code in partners.values()}
    for iso, code in partners.items():
        imports = next(r["primaryValue"] for r in rows if r["partnerISO"] == iso and r["flowCode"] == "M")
        exports = next(r["primaryValue"] for r in rows if r["partnerISO"] == iso and r["flowCode"] == "X")
        cover = stored(store, f"derived:SR.TRADE.COVER.TOTAL.{code}:CHN")
        netimp = stored(store, f"derived:SR.TRADE.NETIMP.TOTAL.{code}:CHN")
        assert cover == {2010: pytest.approx(exports / imports, rel=1e-15)}
        assert netimp == {2010: pytest.approx((imports - exports) / (imports + exports), rel=1e-15)}
    # China-Argentina 2010: imports CIF 6,804,128,143 US$, exports FOB 6,115,764,185 US$
    assert stored(store, "derived:SR.TRADE.COVER.TOTAL.32:CHN")[2010] == pytest.approx(0.898831, abs=1e-6)
    series = store.series(keys=["derived:SR.TRADE.NETIMP.TOTAL.276:CHN"]).iloc[0]
    assert series.formula == "(CT.TOTAL.DEU.M - CT.TOTAL.DEU.X) / (CT.TOTAL.DEU.M + CT.TOTAL.DEU.X)"
    assert series.inputs == ["comtrade:CT.TOTAL.DEU.M:CHN", "comtrade:CT.TOTAL.DEU.X:CHN"]
    assert series.direction == -1 and series.category == "trade"
