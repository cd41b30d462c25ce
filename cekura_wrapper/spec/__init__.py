"""The spec toolkit: how a newer Cekura spec differs from the one this client was generated from
(``drift``), and what regenerating fixes about it (``naming``). Loaded only when used: nothing
here is imported by ``import cekura_wrapper``."""
