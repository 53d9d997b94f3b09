"""Build recipe for `pip install ./bindings/python` (scikit-build: CMake under setuptools).

CMake configures this folder as a project of its own (CMakeLists.txt here), which adds
the library from the repository root as a subproject; the compiled module and the
generated protobuf classes are installed into the package beside the .py files.
Build from a checkout: the sources above this folder are part of the build.
"""
import pathlib
import re

from skbuild import setup

ROOT = pathlib.Path(__file__).resolve().parents[2]
# One version for the library and the package: the top-level project()'s.
VERSION = re.search(r"project\(wegwijzer\s+VERSION\s+([0-9.]+)",
                    (ROOT / "CMakeLists.txt").read_text()).group(1)

cmake_args = []
try:  # pybind11 from PyPI (isolated builds) ships its CMake config inside the package
    import pybind11
    cmake_args.append(f"-Dpybind11_DIR={pybind11.get_cmake_dir()}")
except ImportError:  # Debian's pybind11-dev: found by find_package as is
    pass

setup(
    version=VERSION,
    packages=["wegwijzer", "wegwijzer.v1"],
    package_data={"wegwijzer": ["py.typed", "*.pyi"], "wegwijzer.v1": ["*.pyi"]},
    cmake_args=cmake_args,
    cmake_install_dir=".",
)
