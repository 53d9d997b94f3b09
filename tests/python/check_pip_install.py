#!/usr/bin/env python3
"""pip install of bindings/python into a fresh virtual environment, then the quickstart.

Run by CTest as python.pip_install (labels python, slow, packaging): it builds the
library and the module again through scikit-build, so it takes a while. Offline:
--no-build-isolation uses the build tools already installed (Debian's
python3-skbuild, python3-setuptools, python3-wheel, pybind11-dev) and --no-index
keeps pip off the network. The in-tree build leaves bindings/python/_skbuild
(git-ignored) behind.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]


def run(*command, **kwargs):
    print("+", " ".join(map(str, command)), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--venv", required=True, help="where to create the environment")
    venv = pathlib.Path(parser.parse_args().venv)
    shutil.rmtree(venv, ignore_errors=True)
    # System site packages: NumPy (and pandas, protobuf) come from Debian.
    run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run(python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-deps",
        SOURCE_DIR / "bindings" / "python", env=env)
    with tempfile.TemporaryDirectory() as cwd:  # away from any source or build tree
        check = ("import wegwijzer, sys; assert wegwijzer.__file__.startswith(sys.prefix), "
                 "wegwijzer.__file__; import wegwijzer.proto; print('installed', "
                 "wegwijzer.__version__, 'at', wegwijzer.__file__)")
        run(python, "-c", check, cwd=cwd, env=env)
        run(python, SOURCE_DIR / "examples" / "python" / "quickstart.py", cwd=cwd, env=env)
    print("pip install verified")


if __name__ == "__main__":
    main()
