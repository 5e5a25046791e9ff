"""Names of a package imported on first use (PEP 562 module ``__getattr__``).

The command line must start fast: ``couverture --help`` has no use for the encoder,
scipy or SQLAlchemy, yet every ``import couverture.x`` runs ``couverture/__init__``
first. Packages that re-export names list where each lives, and get their module
``__getattr__`` and ``__dir__`` from :func:`lazy_exports`.
"""
from __future__ import annotations

from importlib import import_module


def lazy_exports(package: str, exports: dict[str, str], namespace: dict):
    """``__getattr__`` and ``__dir__`` for ``package``, whose name ``N`` lives in the module
    ``exports[N]`` (relative to the package). A resolved name is kept in the package's
    ``namespace``, so the next look-up is an ordinary one."""

    def __getattr__(name: str):
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module_name, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
