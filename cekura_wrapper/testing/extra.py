"""The testing kit is an extra: ``pip install 'cekura-ws[testing]'`` adds what only it needs.

``pip install cekura-ws`` brings the client and the command line; the emulator's HTTP server
(uvicorn) comes with the ``testing`` extra. Whatever uses the kit (the package's names, the
emulator, agent and demo commands, the pytest fixtures) calls :func:`require_testing_extra`
first, so a missing extra is one clear message with the install command, not a traceback.
"""

from __future__ import annotations

import importlib
from typing import Final

#: What to run to get the testing kit's dependencies.
INSTALL_COMMAND: Final = "pip install 'cekura-ws[testing]'"
#: The import names of the dependencies only the ``testing`` extra brings.
EXTRA_MODULES: Final = ("uvicorn",)


class MissingExtraError(ImportError):
    """The testing kit was used without the ``testing`` extra installed."""


def missing_extra(module: str) -> MissingExtraError:
    """The error for a dependency of the extra that cannot be imported."""
    return MissingExtraError(
        f"the testing kit (emulator, test agents, demo, pytest fixtures) needs the 'testing' extra, "
        f"which is not installed (no module {module!r}); install it with: {INSTALL_COMMAND}",
        name=module,
    )


def require_testing_extra() -> None:
    """Raise :class:`MissingExtraError` unless every dependency of the extra imports."""
    for module in EXTRA_MODULES:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise missing_extra(module) from exc
