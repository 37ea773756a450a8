"""End to end: the explorer in headless Chromium draws the policy-event markers and the impact of the October 2022
US rules on Korea's real HS 8542 exports to China, without an exception."""

from __future__ import annotations

import datetime as dt

from autarky.app import App
from autarky.events.cli import load_events
from autarky.events.source import bundled_events
from tests.dashboard.test_browser import CHROMIUM, CHROMIUM_ARGS, RENDER_TIMEOUT_MS, VIEWPORT, pytestmark, rendered_text
from tests.support.events import INDICATOR, INDICATOR_TOML, store_chip_series
from tests.support.serving import free_port, start_autarky, stop, wait_healthy

__all__ = ["pytestmark"]


def test_explorer_markers_and_impact_in_chromium(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    config = tmp_path / "autarky.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "chips.db"}"\n{INDICATOR_TOML}', encoding="utf-8")
    app = App(config_path=str(config))
    app.store.upgrade()
    app.store.register_sources(app.catalog)
    store_chip_series(app.store)
    load_events(app)
    app.close()
    uid = next(e.uid for e in bundled_events() if e.date == dt.date(2022, 10, 7))
    port, log = free_port(), tmp_path / "dashboard.log"
    process = start_autarky(["dashboard", "--address", "127.0.0.1", "--port", str(port)],
                            {"AUTARKY_CONFIG": str(config)}, log)
    try:
        wait_healthy(port, process, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT)
                text = rendered_text(page, f"http://127.0.0.1:{port}/explorer?indicator={INDICATOR}&countries=KOR"
                                           f"&event={uid}", tmp_path / "explorer.png", plotly=True)
                assert "policy events relevant to this indicator" in text
                legend = page.locator(".js-plotly-plot .legend").first.text_content()
                assert "policy events" in legend
                assert page.locator(".js-plotly-plot .shapelayer path").count() >= 10   # one dotted line per event
                page.get_by_role("tab", name="Policy events").click()
                page.get_by_text("Before/after comparison, not proof of cause", exact=False).first.wait_for(
                    timeout=RENDER_TIMEOUT_MS)
                report = page.inner_text('[data-testid="stMain"]')
                assert "Gap against the pre-event forecast" in report and "Placebo rank" in report
                assert page.locator('[data-testid="stException"]').count() == 0
                page.screenshot(path=str(tmp_path / "impact.png"), full_page=True)
            finally:
                browser.close()
    finally:
        code = stop(process)
    assert code == 0, log.read_text()
    assert (tmp_path / "impact.png").stat().st_size > 10_000
