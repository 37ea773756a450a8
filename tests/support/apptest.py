"""Running the dashboard through Streamlit's AppTest, as the page tests do: one app, one way to open a page."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def release_streamlit_caches():
    """Each test starts with empty Streamlit caches; released entries close their database engines.
    Import it into a test module to make it apply there."""
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def open_app(monkeypatch, url: str, page: str | None = None, query: dict | None = None) -> AppTest:
    """Run the app on `url` (through AUTARKY_DATABASE_URL, as a user would), on a page, with a query string."""
    monkeypatch.setenv("AUTARKY_DATABASE_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    if page:
        at.run()
        at.switch_page(f"views/{page}.py")
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]
