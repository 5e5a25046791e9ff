from __future__ import annotations

import os
import shutil
import tempfile
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
    # The encoder's start-up cache (analyze/encoder_cache.py) goes to a folder of this run,
    # not to the user's ~/.cache; every couverture process the tests start inherits it,
    # so only the first of them builds the encoder from the package.
    if "COUVERTURE_CACHE_DIR" not in os.environ:
        config._encoder_cache = tempfile.mkdtemp(prefix="couverture-test-cache-")
        os.environ["COUVERTURE_CACHE_DIR"] = config._encoder_cache


def pytest_unconfigure(config):
    folder = getattr(config, "_encoder_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("COUVERTURE_CACHE_DIR", None)


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
