"""Packaging that pyproject.toml cannot say: besides the `declos*` packages,
the top-level `modules/` directory (the module library, DCL only) is
installed as the data package `declos.modules`, so that
`<declos/modules/...>` resolves after a non-editable install too (see
`declos.dirs.modules_dir`).  Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["declos", "declos.*"]) + ["declos.modules"],
    package_dir={"declos.modules": "modules"},
)
