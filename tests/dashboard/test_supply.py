"""The Supply chain page and the overview's chips row on the bundled data: queries, AppTest, the cset exclusion."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from autarky.config import Config
from autarky.snapshot import load_snapshot
from autarky.store import ObservationIn, SeriesSpec, Store
from autarky.dashboard import charts, queries, supply
from autarky.dashboard.settings import RefLine, Settings
from tests.dashboard.test_pages import snapshot_url  # noqa: F401 (a fixture)
from tests.support.apptest import open_app, release_streamlit_caches, texts  # noqa: F401 (an autouse fixture)
from tests.support.dashboard import load_bundled, store_chokepoints

LITHOGRAPHY = "CSET.N19"
CHINA_848620_2020 = 13_663_292_442   # UN Comtrade download, China's imports of HS 848620, 2020 (US$)
KOREA_8542_2023_05 = 3_932_188       # Korea's HS 8542 exports to China, 2023-05 (thousand US$)
CSET_LICENCE_WORDS = "CC BY-NC 4.0"


@pytest.fixture
def data(store, catalog):
    load_bundled(store, catalog)
    store_chokepoints(store, catalog)
    return queries.Data(store, catalog, Config(), Settings())


def test_supply_table_gives_china_lithography_share_and_its_chokepoint(data):
    table = queries.supply_table(data, None)
    litho = table.set_index("code").loc[LITHOGRAPHY]
    assert (litho["stage"], litho["year"], litho["china"]) == ("Fabrication", 2025, 0.2)
    assert litho["leaders"] == "NLD 81.5%, JPN 15%, AUT 1.6%" and litho["top3"] == pytest.approx(98.1)
    assert litho["chokepoint"] and "CT.848620.M" in litho["trade"]
    assert set(table["stage"]) >= {"Design", "Fabrication", "Assembly, testing, and packaging (ATP)"}
    # CMP tools: China holds 12.6%, above the 10% default, so not a chokepoint though three hold 98.5%.
    assert not table.set_index("input").loc["CMP tools", "chokepoint"]
    assert set(queries.supply_table(data, 2019)["year"]) == {2019}


def test_the_page_shows_the_flags_the_metrics_stage_stored_with_the_thresholds_from_config(data):
    strict = Config(data={"metrics": {"supply": {"chokepoint_china_max": 0.1, "chokepoint_top3_min": 99}}})
    store_chokepoints(data.store, data.catalog, strict)  # the metrics stage recomputes the flags under the new ones
    strict_data = queries.Data(data.store, data.catalog, strict, Settings())
    assert not queries.supply_table(strict_data, None).set_index("code").loc[LITHOGRAPHY, "chokepoint"]
    assert "under 0.1%" in queries.supply_thresholds(strict_data).describe()


def test_without_stored_flags_no_input_is_marked(store, catalog):
    load_bundled(store, catalog)  # the shares, before any metrics run: the dashboard computes no flag itself
    table = queries.supply_table(queries.Data(store, catalog, Config(), Settings()), None)
    assert len(table) > 0 and not table["chokepoint"].any()


def test_observations_keep_world_and_bilateral_series_apart(data, catalog):
    """A World series next to the bundled China-USA one: the default reads World only."""
    ind = catalog.indicator("CT.8542.M")
    data.store.register_series([SeriesSpec.for_indicator(ind, "CHN")])
    data.store.write_observations([ObservationIn("comtrade:CT.8542.M:CHN", "2024", 385e9, "test")],
                                  source="test")
    world = queries.observations(data, ("CT.8542.M",), ("CHN",))
    assert list(world["series_key"].unique()) == ["comtrade:CT.8542.M:CHN"]
    usa = queries.observations(data, ("CT.8542.M",), ("CHN",), ("USA",))
    assert list(usa["series_key"].unique()) == ["comtrade:CT.8542.M:CHN:USA"]
    assert len(queries.observations(data, ("CT.8542.M",), ("CHN",), None)["series_key"].unique()) == 2
    row = queries.indicators(data).set_index("code").loc["CT.8542.M"]
    assert row["partners"] == ("WLD", "USA") and row["countries"] == ("CHN",)

    from autarky.dashboard import transforms
    assert transforms.series_labels(usa, catalog) == {"comtrade:CT.8542.M:CHN:USA": "China with United States"}



def test_chip_cards_from_the_bundled_data(data):
    cards = {card.code: card for card in queries.chip_cards(data)}
    assert cards["CT.848620.M"].value == CHINA_848620_2020 and cards["CT.848620.M"].period == "2020"
    assert cards["KR.8542.X"].value == KOREA_8542_2023_05 and cards["KR.8542.X"].shown == "$3.93 bn"
    assert cards[LITHOGRAPHY].shown == "0.2%" and cards[LITHOGRAPHY].licence == CSET_LICENCE_WORDS
    assert all(card.source and card.licence for card in cards.values())


def test_no_target_line_over_an_empty_series():
    empty = pd.DataFrame(columns=["series_key", "country", "period", "value"])
    target = RefLine(0.70, "Made in China 2025: 70% IC self-sufficiency by 2025", "target", 2025)
    figure = charts.indicator_chart(empty, pd.DataFrame(), {}, title="t", unit="share", frequency="A",
                                    lines=[target])
    assert not figure.layout.shapes and not figure.data
    drawn = charts.indicator_chart(pd.DataFrame({"series_key": ["k"], "country": ["CHN"], "value": [0.16],
                                                 "period": [pd.Timestamp("2021-01-01")]}), pd.DataFrame(), {},
                                   title="t", unit="share", frequency="A", lines=[target])
    assert len(drawn.layout.shapes) == 1


# ---------------------------------------------------------------------------- through Streamlit
def test_supply_chain_page_shows_the_chain_shares_licence_and_trade(monkeypatch, snapshot_url):
    at = open_app(monkeypatch, snapshot_url, "supply_chain")
    assert texts(at, "title") == ["Supply chain"]
    lines = "\n".join(texts(at, "text"))
    assert "Lithography tools (2025): China 0.2% of world supply; top 3 NLD 81.5%, JPN 15%, AUT 1.6% = 98.1% " \
           "(chokepoint)" in lines
    assert "China, 2020: $13.66 bn" in lines          # HS 848620, UN Comtrade
    assert [m for m in texts(at, "markdown") if m.startswith("####")] == [
        "#### Design", "#### Fabrication", "#### Assembly, testing, and packaging \\(ATP\\)"]
    captions = texts(at, "caption")
    assert sum(CSET_LICENCE_WORDS in c and "CSET" in c for c in captions) >= 3  # under every stage's figures
    assert any("Source: United Nations, UN Comtrade Database" in c for c in captions)
    assert any("under 10% of world supply" in c and "at least 75%" in c for c in captions)
    assert len(at.get("plotly_chart")) >= 4
    at.selectbox(key="sc_input").select("N99").run()  # finished chips: Korea's exports to China, China from the USA
    lines = "\n".join(texts(at, "text"))
    assert "Korea, Rep. with China, 2023-05: $3.93 bn" in lines and "China with United States, 2024: $11.75 bn" \
        in lines
    at.selectbox(key="sc_year").select(2019).run()
    assert not at.exception and at.query_params["year"] == "2019"


def test_supply_chain_page_without_the_cset_part(monkeypatch, tmp_path, catalog):
    (tmp_path / "autarky.toml").write_text('[snapshot]\nexclude = ["cset"]\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'nocset.db'}"
    store = Store(url)
    store.upgrade()
    load_snapshot(store, catalog, exclude=["cset"])
    store.close()
    at = open_app(monkeypatch, url, "supply_chain")
    assert any("left out of this deployment" in i and CSET_LICENCE_WORDS in i for i in texts(at, "info"))
    assert not any(CSET_LICENCE_WORDS in c for c in texts(at, "caption"))
    assert "China, 2020: $13.66 bn" in "\n".join(texts(at, "text"))
    overview = open_app(monkeypatch, url)
    assert "0.2%" not in [m.value for m in overview.metric] and "$13.66 bn" in [m.value for m in overview.metric]


def test_overview_chips_row(monkeypatch, snapshot_url):
    at = open_app(monkeypatch, snapshot_url)
    assert "Chips: trade and supply" in texts(at, "subheader")
    metrics = {m.value: m.delta for m in at.metric}
    assert metrics["$13.66 bn"] == "+31.0%" and metrics["$3.93 bn"] == "+17.6%" and "0.2%" in metrics
    captions = texts(at, "caption")
    assert "2023-05 · Source: Korea Customs Service, trade statistics · Licence: Korean public trade statistics; " \
           "copied via github.com/Miles-byte/Apricitas (no licence file)" in captions
    assert any(c.startswith("2025 · Source: Emerging Technology Observatory (CSET)") and c.endswith(
        CSET_LICENCE_WORDS) for c in captions)
