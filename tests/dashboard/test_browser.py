"""End to end: `autarky dashboard` on loopback after `autarky init`: every page in headless Debian Chromium, the
explorer with the policy-event markers and impact on the bundled Korea HS 8542 series, the Supply chain page, no
request to another host."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from autarky.events.source import bundled_events
from tests.support.browser import RENDER_TIMEOUT_MS, dashboard_in_chromium, needs_chromium, rendered_text

OTHER_PAGES = ("compare", "scorecard", "alerts", "data_health", "methodology")
OCTOBER_2022_RULES = next(e.uid for e in bundled_events() if e.date == dt.date(2022, 10, 7))

pytestmark = needs_chromium


def test_overview_and_explorer_in_chromium(tmp_path):
    # No --port: Streamlit's own variable is honoured.
    with dashboard_in_chromium(tmp_path, port_from_env=True) as browsing:
        page, base, hosts = browsing.page, browsing.base_url, browsing.hosts
        overview = rendered_text(page, f"{base}/", tmp_path / "overview.png")
        assert "Overview" in overview
        assert "Patent applications, residents" in overview and "1,426,644" in overview
        assert "Chips: trade and supply" in overview and "$13.66 bn" in overview and "$3.93 bn" in overview
        explorer = rendered_text(page, f"{base}/explorer?indicator=IP.PAT.RESD"
                                       "&countries=CHN,USA,JPN", tmp_path / "explorer.png", plotly=True)
        assert "Indicator explorer" in explorer
        assert "China, 2021: 1,426,644" in explorer
        assert "Licence: CC BY 4.0" in explorer
        legend = page.locator(".js-plotly-plot .legend").first.text_content()
        assert "China" in legend and "Japan" in legend
        assert "indicator=IP.PAT.RESD" in page.url
        # Issue 13 on the bundled series: Korea's HS 8542 exports to China, with the events and the impact
        # of the October 2022 US rules.
        korea = rendered_text(page, f"{base}/explorer?indicator=KR.8542.X&countries=KOR"
                                    f"&event={OCTOBER_2022_RULES}", tmp_path / "events.png", plotly=True)
        assert "policy events relevant to this indicator" in korea
        assert "Korea, Rep., 2023-05: $3.93 bn" in korea  # 3,932,188 thousand US$, scaled by its unit
        assert "policy events" in page.locator(".js-plotly-plot .legend").first.text_content()
        assert page.locator(".js-plotly-plot .shapelayer path").count() >= 10  # one dotted line per event
        page.get_by_role("tab", name="Policy events").click()
        page.get_by_text("Before/after comparison, not proof of cause", exact=False).first.wait_for(
            timeout=RENDER_TIMEOUT_MS)
        report = page.inner_text('[data-testid="stMain"]')
        assert "Gap against the pre-event forecast" in report and "Placebo rank" in report
        assert page.locator('[data-testid="stException"]').count() == 0
        # Issue 12: the Supply chain page draws the CSET chain with its licence and the HS 848620 series.
        chain = rendered_text(page, f"{base}/supply_chain", tmp_path / "supply.png",
                              plotly=True)
        assert "Lithography tools (2025): China 0.2% of world supply" in chain
        assert "CC BY-NC 4.0" in chain and "Emerging Technology Observatory (CSET)" in chain
        assert "China, 2020: $13.66 bn" in chain and "Source: United Nations, UN Comtrade Database" in chain
        assert page.locator(".js-plotly-plot").count() >= 4  # three stages and the trade series
        for name in OTHER_PAGES:
            rendered_text(page, f"{base}/{name}", tmp_path / f"{name}.png")
        # Issue 11 item 8: text from the URL shows literally, no link; issue 17 item 9: /overview is a page.
        crafted = rendered_text(page, f"{base}/data_health?source=[x](http://evil)",
                                tmp_path / "crafted.png")
        assert "source [x](http://evil) (linked" in crafted
        assert page.locator('[data-testid="stMain"] a[href*="evil"]').count() == 0
        assert "Overview" in rendered_text(page, f"{base}/overview", tmp_path / "o.png")
        assert "Page not found" not in page.inner_text("body")
        page.wait_for_timeout(500)  # the favicon is requested after the page settles
        # No page asks any host but the dashboard's own (no fonts, favicons or scripts from a CDN).
        assert hosts == {"127.0.0.1"}
    assert (tmp_path / "overview.png").stat().st_size > 10_000
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
    assert (tmp_path / "events.png").stat().st_size > 10_000
    assert (tmp_path / "supply.png").stat().st_size > 10_000


def test_a_deep_link_opens_after_the_sign_in_in_chromium(tmp_path):
    """Issue 17 item 11: the form alert emails use (/explorer?series=...) behind the password lands on that series."""
    with dashboard_in_chromium(tmp_path, {"AUTARKY_DASHBOARD_PASSWORD": "s3cret-phrase"}) as browsing:
        page, base = browsing.page, browsing.base_url
        gate = rendered_text(page, f"{base}/explorer?series=wb:IP.PAT.RESD:CHN",
                             tmp_path / "gate.png")
        assert "Sign in" in gate and "Indicator explorer" not in gate
        password = page.get_by_label("Password", exact=True)
        password.wait_for(timeout=RENDER_TIMEOUT_MS)
        password.fill("s3cret-phrase")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Indicator explorer").wait_for(timeout=RENDER_TIMEOUT_MS)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=RENDER_TIMEOUT_MS)
        # The explorer turns the series into its own address: that indicator, that economy.
        assert urlsplit(page.url).path == "/explorer" and "indicator=IP.PAT.RESD&countries=CHN" in page.url
        assert "China, 2021: 1,426,644" in page.inner_text('[data-testid="stMain"]')
