"""The installed distribution ships both packages, typed."""

from importlib import resources

import cekura_api
import cekura_wrapper


def test_both_packages_ship_a_py_typed_marker() -> None:
    assert resources.files(cekura_api).joinpath("py.typed").is_file()
    assert resources.files(cekura_wrapper).joinpath("py.typed").is_file()


def test_every_public_name_resolves_and_display_url_is_public() -> None:
    missing = [name for name in cekura_wrapper.__all__ if not hasattr(cekura_wrapper, name)]
    assert missing == []
    shown = cekura_wrapper.display_url("wss://agent.example.com/ws?token=s3cret")
    assert shown == "wss://agent.example.com/ws?token=***"
