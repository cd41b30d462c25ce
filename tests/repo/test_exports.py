"""What ``cekura_wrapper`` and ``cekura_wrapper.testing`` export: ``__all__`` and ``dir()`` agree
(lazy names included, so completion finds ``CekuraClient``), every exported name resolves, and
the testing kit exports no name the client exports (a test module imports from both)."""

from __future__ import annotations

import types

import cekura_wrapper
import cekura_wrapper.testing as testing

#: Module attributes of ``cekura_wrapper`` that are deliberately not exported.
INTERNAL = {"Any", "TYPE_CHECKING", "DISTRIBUTION"}


def test_dir_shows_the_exported_names_and_the_version_only() -> None:
    assert dir(cekura_wrapper) == sorted([*cekura_wrapper.__all__, "__version__"])
    assert {"CekuraClient", "AsyncCekuraClient", "preflight", "preflight_async"} <= set(dir(cekura_wrapper))
    assert not INTERNAL & set(dir(cekura_wrapper))


def test_every_exported_name_resolves_once() -> None:
    for module in (cekura_wrapper, testing):
        assert len(module.__all__) == len(set(module.__all__)), module.__name__
        assert [name for name in module.__all__ if getattr(module, name, None) is None] == []


def test_every_public_attribute_of_the_package_is_exported() -> None:
    """A name imported into ``cekura_wrapper/__init__.py`` for users must be in ``__all__`` (and so
    in ``dir()``); anything else there is listed in INTERNAL."""
    public = {
        name
        for name, value in vars(cekura_wrapper).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - INTERNAL - set(cekura_wrapper.__all__) == set()


def test_the_testing_kit_lists_each_name_once_and_dir_shows_them() -> None:
    homes = [name for names in testing._MODULES.values() for name in names]
    assert sorted(homes) == sorted(testing.__all__)
    assert dir(testing) == sorted(testing.__all__)


def test_the_testing_kit_exports_no_name_the_client_exports() -> None:
    assert set(testing.__all__) & set(cekura_wrapper.__all__) == set()
