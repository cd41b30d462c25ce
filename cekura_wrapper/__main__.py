"""``python -m cekura_wrapper``: the ``cekura-ws`` command line."""

from cekura_wrapper.cli import main

if __name__ == "__main__":
    main(prog_name="cekura-ws")
