"""The ``cekura-ws`` commands, one module per family; ``cli/app.py`` registers them on the group."""
