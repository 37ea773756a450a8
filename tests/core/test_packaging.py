"""The distribution installs one import name, `autarky`; the stage folders are reached only through it."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib.metadata as m, importlib.util as u
names = sorted(k for k, v in m.packages_distributions().items() if 'autarky' in v)
print(names)
print([name for name in ('collectors', 'forecast', 'dashboard') if u.find_spec(name) is not None])
import autarky.collectors.registry, autarky.forecast.runner, autarky.dashboard.queries
print(autarky.forecast.runner.__name__)
"""


def test_only_autarky_is_installed_as_a_top_level_package(tmp_path):
    # -I: no current folder and no PYTHON* variables on the path, as for a user of the installed distribution.
    result = subprocess.run([sys.executable, "-I", "-c", PROBE], cwd=tmp_path, capture_output=True, text=True,
                            check=True)
    names, stray, loaded = result.stdout.splitlines()
    assert names == "['autarky']"
    assert stray == "[]"
    assert loaded == "autarky.forecast.runner"
