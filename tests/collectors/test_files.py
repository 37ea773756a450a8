"""Files collector: a folder of CSV/Excel files in the documented long format, with real NCSES/OECD figures."""

from __future__ import annotations

import shutil

import pandas as pd

from autarky.collectors.runner import collect
from tests.support.collectors import FIXTURES, make_app

GERD_PPP = {"code": "GERD.PPP", "name": "Gross domestic expenditure on R&D, PPP", "category": "investment",
            "source": "file", "unit": "billion current PPP US$", "frequency": "A", "direction": 1,
            "countries": ["CHN", "USA", "JPN", "KOR", "DEU", "TWN"], "min": 0}
SOURCE_TEXT = "NCSES SEI 2024 table RD-5 (OECD MSTI Sep 2023)"
CSV_FIXTURE = FIXTURES / "files" / "gerd_ppp_ncses_rd5.csv"


def files_app(tmp_path, url, folder, indicator=GERD_PPP):
    return make_app(tmp_path, url, indicators=[indicator], collectors={"files": {"path": str(folder)}})


def test_csv_rows_are_stored_with_the_publication_as_vintage(tmp_path, database_url):
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(CSV_FIXTURE, folder)
    app = files_app(tmp_path, database_url, folder)
    [result] = collect(app, ["files"])
    assert not result.failed, result.errors
    assert result.inserted == 18
    frame = app.store.observations(indicators=["GERD.PPP"], countries=["CHN"])
    assert dict(zip(frame["period"].dt.year, frame["value"])) == {2000: 32.9, 2010: 212.2, 2021: 667.6}
    assert set(frame["vintage"]) == {SOURCE_TEXT}
    assert set(frame["source"]) == {"file"}
    app.close()


def test_an_unchanged_file_is_skipped_and_a_changed_one_revises(tmp_path, sqlite_store):
    folder = tmp_path / "files"
    folder.mkdir()
    target = folder / CSV_FIXTURE.name
    shutil.copy(CSV_FIXTURE, target)
    app = files_app(tmp_path, str(sqlite_store.engine.url), folder)
    collect(app, ["files"])
    [again] = collect(app, ["files"])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 0)
    # NCSES RD-5 gives US GERD 2021 as 806.0; a user correcting a typo in their file is a revision.
    target.write_text(target.read_text().replace("USA,2021,806.0", "USA,2021,806.1"))
    [changed] = collect(app, ["files"])
    assert (changed.updated, changed.unchanged) == (1, 17)
    revision = app.store.revisions(keys=["file:GERD.PPP:USA"]).iloc[0]
    assert (revision["old_value"], revision["new_value"]) == (806.0, 806.1)
    app.close()


def test_excel_files_are_read_like_csv(tmp_path, sqlite_store):
    folder = tmp_path / "files"
    folder.mkdir()
    pd.read_csv(CSV_FIXTURE, dtype=str).assign(value=lambda f: f["value"].astype(float),
                                                period=lambda f: f["period"].astype(int)) \
        .to_excel(folder / "gerd.xlsx", index=False)
    app = files_app(tmp_path, str(sqlite_store.engine.url), folder)
    [result] = collect(app, ["files"])
    assert not result.failed, result.errors
    frame = app.store.observations(indicators=["GERD.PPP"], countries=["KOR"])
    assert dict(zip(frame["period"].dt.year, frame["value"])) == {2000: 18.5, 2010: 52.1, 2021: 119.6}
    app.close()


def test_a_unit_that_differs_from_the_catalog_rejects_the_file(tmp_path, sqlite_store):
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(CSV_FIXTURE, folder)
    app = files_app(tmp_path, str(sqlite_store.engine.url), folder, {**GERD_PPP, "unit": "million current PPP US$"})
    [result] = collect(app, ["files"])
    assert result.failed and result.rejected == 18
    assert "unit 'billion current PPP US$' differs from the catalog unit 'million current PPP US$'" in result.errors[0]
    assert app.store.observations().empty
    app.close()


def test_a_file_missing_a_column_names_the_file_and_the_column(tmp_path, sqlite_store):
    folder = tmp_path / "files"
    folder.mkdir()
    pd.read_csv(CSV_FIXTURE).drop(columns=["source"]).to_csv(folder / "no_source.csv", index=False)
    app = files_app(tmp_path, str(sqlite_store.engine.url), folder)
    [result] = collect(app, ["files"])
    assert result.failed and "no_source.csv: missing column(s) source" in result.errors[0]
    app.close()


def test_an_indicator_not_in_the_catalog_is_rejected(tmp_path, sqlite_store):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "chips.csv").write_text("indicator,country,period,value,unit,source\n"
                                      "CHIP.SELF.SUFF,CHN,2021,0.16,share,IC Insights 2021\n")
    app = files_app(tmp_path, str(sqlite_store.engine.url), folder)
    [result] = collect(app, ["files"])
    assert result.failed and "indicator 'CHIP.SELF.SUFF' is not a catalog indicator of source 'file'" in \
        result.errors[0]
    app.close()


def test_a_missing_folder_is_a_warning_not_a_failure(tmp_path, sqlite_store):
    app = files_app(tmp_path, str(sqlite_store.engine.url), tmp_path / "nowhere")
    warnings: list[str] = []
    [result] = collect(app, ["files"], warn=warnings.append)
    assert not result.failed and "does not exist" in warnings[0]
    app.close()
