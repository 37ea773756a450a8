"""Bad selections and unreachable databases: a non-zero exit and one line that names the code or path."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from autarky.db import DatabaseUnavailable, make_engine
from autarky.store import Store
from tests.support.serving import run


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One SQLite database with the bundled snapshot, shared by the read-only checks below."""
    path = tmp_path_factory.mktemp("cli") / "autarky.db"
    env = {"AUTARKY_DATABASE_URL": f"sqlite:///{path}"}
    run("init", env=env)
    return path, env


@pytest.mark.parametrize("args, message", [
    (("--country", "XXX"), "error: unknown country 'XXX' (ISO3 codes known: ABW, AGO,"),
    (("--indicator", "NOPE"), "error: unknown indicator 'NOPE'"),
    (("--indicator", "IP.PAT.RESX"), "did you mean IP.PAT.RESD"),
    (("--series", "wb:IP.PAT.RESD:XXX"), "error: unknown series 'wb:IP.PAT.RESD:XXX'; did you mean"),
    (("--indicator", "NY.GDP.MKTP.CD", "--country", "TWN"),
     "error: no observations match TWN: NY.GDP.MKTP.CD has data for BRA, CAN, CHN"),
])
def test_export_refuses_what_does_not_exist_and_says_what_does(loaded, args, message):
    proc = run("export", *args, env=loaded[1], check=False)
    assert proc.returncode == 1
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stdout == ""


def test_export_takes_lower_case_codes(loaded):
    out = run("export", "--indicator", "ip.pat.resd", "--country", "chn", env=loaded[1]).stdout
    assert "wb:IP.PAT.RESD:CHN,IP.PAT.RESD,CHN,WLD,2021,1426644," in out


@pytest.mark.parametrize("args, message", [
    (("--country", "XXX"), "error: XXX is not an economy of SR.INDEX; its economies: BRA, CAN, CHN"),
    (("--country", "CHN", "--period", "1900"), "error: no SR.INDEX value for CHN in 1900; CHN has values for 19"),
])
def test_index_says_which_economies_and_years_exist(loaded, args, message):
    proc = run("index", *args, env=loaded[1], check=False)
    assert proc.returncode == 1 and proc.stderr.startswith(message)
    assert "autarky metrics" not in proc.stderr


def test_a_read_command_never_creates_a_database(tmp_path):
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for command in ("status", "export"):
        proc = run(command, env={"AUTARKY_DATABASE_URL": f"sqlite:///{missing}"}, check=False)
        assert proc.returncode == 1
        assert proc.stderr == f"error: database file {missing} does not exist; run `autarky init` to create it\n"
    assert not (tmp_path / "nonexistent").exists()
    run("init", "--no-data", env={"AUTARKY_DATABASE_URL": f"sqlite:///{missing}"})  # the one that creates it
    assert missing.is_file()


def test_a_read_only_database_is_read_without_writing(loaded, monkeypatch):
    path, _ = loaded
    before = (path.stat().st_mtime_ns, path.read_bytes())
    # Tests run as root, for whom a file mode does not make a file read-only; SQLite's own ro mode does.
    store = Store(f"sqlite:///{path}?mode=ro")
    try:
        assert len(store.series()) > 0
        with pytest.raises(Exception, match="readonly"):
            with store.writing() as session:
                session.execute(text("DELETE FROM observation"))
    finally:
        store.close()
    monkeypatch.setattr("autarky.db.os.access", lambda p, mode: mode != os.W_OK)  # as a non-owner sees it
    store = Store(f"sqlite:///{path}")
    try:
        assert not store.observations(indicators=["IP.PAT.RESD"], countries=["CHN"]).empty
    finally:
        store.close()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_a_missing_driver_names_the_extra_to_install():
    with pytest.raises(DatabaseUnavailable, match=r"the postgresql driver is not installed: no module named "
                                                  r"'pg8000' \(pip install -e '\.\[postgres\]'\)"):
        make_engine("postgresql+pg8000://postgres@127.0.0.1/test")
    proc = run("status", env={"AUTARKY_DATABASE_URL": "postgresql+pg8000://postgres@127.0.0.1/test"}, check=False)
    assert proc.returncode == 1 and "pip install -e '.[postgres]'" in proc.stderr


def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "not-a-db.db"
    path.write_bytes(b"this is not a database file at all" * 200)
    proc = run("status", env={"AUTARKY_DATABASE_URL": f"sqlite:///{path}"}, check=False)
    assert proc.returncode == 1 and "not a database" in proc.stderr
