"""Shared test helpers."""

from pathlib import Path

import pytest


def shared_dir() -> Path:
    """The shared directory beside the checkout (holds ``corpus/``, the real records with their ground truth)."""
    return Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def shared() -> Path:
    """``shared_dir()`` as a fixture."""
    return shared_dir()
