"""cekura-ws: run Cekura evaluators against fleets of websocket agents."""

__version__ = "0.1.0"
