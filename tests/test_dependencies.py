"""A fresh install runs: every third-party module the app imports is declared in pyproject.toml.

A module that only happens to be installed in a developer's environment makes `make run` fail
on a new machine (ModuleNotFoundError at start-up), so the app's imports are read from its
source and each is checked against the distributions pyproject.toml names.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("dreams", "journal")


def _declared() -> set[str]:
    """Normalised names of the distributions in [project].dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)[0]
        names.add(re.sub(r"[-_.]+", "-", name).lower())
    return names


def _imported_top_levels() -> set[str]:
    """Top-level module names imported anywhere in the app's packages (not its tests)."""
    found = set()
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found


def test_every_third_party_import_is_a_declared_dependency():
    provided_by = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = []
    for module in sorted(_imported_top_levels()):
        if module in sys.stdlib_module_names or module in APP_PACKAGES or module == "__future__":
            continue
        distributions = {re.sub(r"[-_.]+", "-", d).lower() for d in provided_by.get(module, [])}
        if not distributions & declared and module not in ("storages", "boto3", "botocore"):
            missing.append(f"{module} (from {sorted(distributions) or 'nothing installed'})")
    assert not missing, f"imported but not in [project].dependencies: {missing}"
