"""Unit tests hold the rules without a database: they override the suite's per-test clean-up (which needs the
session's migrated database) with one that does nothing."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean():
    yield
