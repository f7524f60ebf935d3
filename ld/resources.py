"""Locate the packaged data folders (shapes/, vocab/) whether docket runs from a checkout or an installed wheel.

In a wheel they are the data packages ``ld._shapes`` and ``ld._vocab`` (see pyproject.toml); in a checkout or an
editable install they are the top-level folders beside ``ld/``, which setuptools' editable finder does not map.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _data_dir(package: str, folder: str) -> Traversable:
    checkout_dir = _CHECKOUT / folder
    if checkout_dir.is_dir() and (_CHECKOUT / "pyproject.toml").is_file():
        return checkout_dir
    return files(package)


def shapes_dir() -> Traversable:
    """The folder holding the SHACL shapes (``shapes/`` in the repository)."""
    return _data_dir("ld._shapes", "shapes")


def vocab_dir() -> Traversable:
    """The folder holding the vocabularies and the authority file (``vocab/`` in the repository)."""
    return _data_dir("ld._vocab", "vocab")
