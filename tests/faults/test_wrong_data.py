"""Wrong data never gets in: rows not asked for, implausible values and jumps, older releases, bad periods,
text numbers and inconsistent pages, each refused by `autarky collect` naming source, series and value."""

from __future__ import annotations

import pytest

from tests.support.faults import GDP, collect_cli, cursor, runs, stored

DEU_2022 = 4163596357879.39


def wb_collect(tmp_path, db, wb, *args, **kwargs):
    return collect_cli(tmp_path, db, "collect", "worldbank", "--indicator", GDP, *args, "--no-downstream",
                       collectors={"worldbank": {"base_url": wb.base_url}}, **kwargs)


def test_a_row_for_a_country_not_asked_for_is_refused_and_that_country_kept(tmp_path, db, wb):
    assert wb_collect(tmp_path, db, wb, "--country", "DEU").exit_code == 0
    before = stored(db)
    assert before[("DEU", 2022)] == pytest.approx(DEU_2022)

    china = next(r for r in wb.rows if r["countryiso3code"] == "CHN" and r["date"] == "2022")

    def add_germany(meta, rows, request):
        if request.args.get("page") == "1":
            rows.append({**china, "countryiso3code": "DEU"})
        meta["total"] += 1
    wb.tamper = add_germany
    result = wb_collect(tmp_path, db, wb, "--country", "CHN,USA")
    assert result.exit_code == 1
    assert f"series wb:NY.GDP.MKTP.CD:DEU, period 2022-01-01: value {china['value']!r} was not asked for" \
        in result.output
    assert stored(db) == before  # Germany untouched, and nothing of the rejected batch stored
    assert "1 updated" not in result.output


def test_an_implausible_money_value_is_refused(tmp_path, db, wb):
    def huge(meta, rows, request):
        for row in rows:
            if row["date"] == "2022":
                row["value"] = 1e300
    wb.tamper = huge
    result = wb_collect(tmp_path, db, wb, "--country", "CHN")
    assert result.exit_code == 1
    assert "series wb:NY.GDP.MKTP.CD:CHN, period 2022-01-01: value 1e+300 is above 1e+15, the plausible maximum " \
           "for unit 'current US$'" in result.output
    assert stored(db) == {}


def jump(meta, rows, request):
    meta["lastupdated"] = "2025-12-16"
    for row in rows:
        if row["countryiso3code"] == "DEU" and row["date"] == "2022":
            row["value"] /= 5000


def test_a_jump_of_more_than_x1000_against_stored_neighbours_is_refused_naming_both_values(tmp_path, db, wb):
    assert wb_collect(tmp_path, db, wb, "--country", "DEU").exit_code == 0
    before = stored(db)
    wb.tamper = jump
    result = wb_collect(tmp_path, db, wb, "--country", "DEU")
    assert result.exit_code == 1
    assert "series wb:NY.GDP.MKTP.CD:DEU, period 2022-01-01: value 8.32719e+08 is more than x1000 away from the " \
           "stored 4.3483e+12 of 2021-01-01" in result.output
    assert stored(db) == before
    assert cursor(db, "wb", f"wb:{GDP}:DEU")["lastupdated"] == "2025-07-01"


def test_the_jump_check_is_overridden_in_the_config(tmp_path, db, wb):
    assert wb_collect(tmp_path, db, wb, "--country", "DEU").exit_code == 0
    wb.tamper = jump
    result = wb_collect(tmp_path, db, wb, "--country", "DEU", shared={"max_jump": 10000})
    assert result.exit_code == 0, result.output
    assert stored(db)[("DEU", 2022)] == pytest.approx(DEU_2022 / 5000)


def test_an_older_release_does_not_roll_back_values_or_the_cursor(tmp_path, db, wb):
    assert wb_collect(tmp_path, db, wb, "--country", "CHN").exit_code == 0
    before = stored(db)

    def stale(meta, rows, request):
        meta["lastupdated"] = "2021-05-25"
        for row in rows:
            if row["value"] is not None:
                row["value"] *= 0.97
    wb.tamper = stale
    result = wb_collect(tmp_path, db, wb, "--country", "CHN")
    assert result.exit_code == 1
    assert "the answer's release (lastupdated 2021-05-25) is older than the stored release (2025-07-01)" \
        in result.output
    assert stored(db) == before
    assert cursor(db, "wb", f"wb:{GDP}:CHN")["lastupdated"] == "2025-07-01"


def test_a_bad_period_is_a_rejection_naming_series_and_value_not_a_crash(tmp_path, db, wb):
    def bad_period(meta, rows, request):
        rows[0]["date"] = "20X4"
    wb.tamper = bad_period
    result = wb_collect(tmp_path, db, wb, "--country", "CHN")
    assert result.exit_code == 1
    assert "series wb:NY.GDP.MKTP.CD:CHN: period '20X4'" in result.output
    assert "unexpected" not in result.output and "Traceback" not in result.output
    assert "rejected" in runs(db).iloc[0]["error"]


def test_text_numbers_are_refused(tmp_path, db, wb):
    def text(meta, rows, request):
        rows[0]["value"] = "12345.5"
    wb.tamper = text
    result = wb_collect(tmp_path, db, wb, "--country", "CHN")
    assert result.exit_code == 1
    assert "value '12345.5' is text, where worldbank sends numbers" in result.output
    assert stored(db) == {}


def test_an_empty_page_2_with_a_lowered_total_is_an_error_and_the_cursor_not_stamped(tmp_path, db, wb):
    def lowered(meta, rows, request):
        meta["total"], meta["pages"] = 50, 2
        if request.args.get("page", "1") != "1":
            rows.clear()
    wb.tamper = lowered
    result = wb_collect(tmp_path, db, wb, "--country", "CHN")
    assert result.exit_code == 1
    assert "page 2 of 2: no rows" in result.output
    assert stored(db) == {} and cursor(db, "wb", f"wb:{GDP}:CHN") == {}


def test_a_404_on_page_2_names_the_page(tmp_path, db, wb):
    from werkzeug import Response

    def gone(meta, rows, request):
        if request.args.get("page") == "2":
            return Response("Not Found", status=404)
    wb.tamper = gone
    result = wb_collect(tmp_path, db, wb, "--country", "JPN,USA")
    assert result.exit_code == 1
    assert "NY.GDP.MKTP.CD: page 2: HTTP 404" in result.output
    assert stored(db) == {}


def test_an_answer_claiming_too_many_pages_is_refused_after_one_request(tmp_path, db, wb):
    def many(meta, rows, request):
        meta["pages"] = 264
    wb.tamper = many
    result = wb_collect(tmp_path, db, wb, "--country", "CHN")
    assert result.exit_code == 1
    assert "the answer claims 264 pages, more than the 100 allowed (max_pages in [collectors])" in result.output
    assert len(wb.requests) == 1
