from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
DATA = SHARED / "data"
FIXTURES = Path(__file__).with_name("fixtures")


def pytest_configure(config):
    # The shared data sits beside the project (see README); without it the tests that
    # need real data would silently prove nothing, so fail loudly instead.
    if not SEEDS.is_dir() or not DATA.is_dir():
        raise pytest.UsageError(f"../shared is missing: expected {SEEDS} and {DATA}")


@pytest.fixture(scope="session")
def analyzer():
    from couverture.analyze import Analyzer

    return Analyzer()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path):
    from couverture.store import Store

    s = Store(db_path)
    yield s
    s.close()
