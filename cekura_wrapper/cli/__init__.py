"""The ``cekura-ws`` command line (console script ``cekura-ws``, also ``python -m cekura_wrapper``)."""

from .app import main

__all__ = ["main"]
