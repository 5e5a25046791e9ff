"""Names of a package imported on first use (PEP 562 module ``__getattr__``).

The command line must start fast: ``couverture --help`` has no use for the encoder,
scipy or SQLAlchemy, yet every ``import couverture.x`` runs ``couverture/__init__``
first. Packages that re-export names list where each lives and resolve it here.
"""
from __future__ import annotations

from importlib import import_module


def load_export(package: str, exports: dict[str, str], name: str, namespace: dict):
    """The value of ``name`` from its module in ``exports`` (relative to ``package``),
    kept in the package's ``namespace`` so that the next look-up is an ordinary one."""
    module_name = exports.get(name)
    if module_name is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(import_module(module_name, package), name)
    namespace[name] = value
    return value
