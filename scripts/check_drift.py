#!/usr/bin/env python3
"""Report how a newer Cekura spec differs from ours: ``cekura_wrapper.spec.drift``, run as a script.

    python scripts/check_drift.py --upstream SPEC [--base SPEC] [--operation METHOD:PATH ...]
                                  [--format text|json] [--verbose]

The same check ships with the package as ``cekura-ws drift``; see that module for the rules.
"""

from __future__ import annotations

import sys

from cekura_wrapper.spec.drift import main

if __name__ == "__main__":
    sys.exit(main())
