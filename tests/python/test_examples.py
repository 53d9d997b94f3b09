"""The examples run as documented."""
from __future__ import annotations

import subprocess
import sys

from conftest import SOURCE_DIR


def test_quickstart_runs():
    script = SOURCE_DIR / "examples" / "python" / "quickstart.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "RouteResult(" in done.stdout and "<MatchPlan: objective" in done.stdout
