"""The installed distribution ships both packages, typed."""

from importlib import resources

import cekura_api
import cekura_wrapper


def test_both_packages_ship_a_py_typed_marker() -> None:
    assert resources.files(cekura_api).joinpath("py.typed").is_file()
    assert resources.files(cekura_wrapper).joinpath("py.typed").is_file()
