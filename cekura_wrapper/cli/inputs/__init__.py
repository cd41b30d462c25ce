"""The batch a command works on: a YAML, JSON or CSV file plus ``--scenario``/``--frequency``/``--agent``.

Every problem is collected with where it is (``batch.yaml:7``, ``--scenario #2``) and reported
at once, before any request. ``${VAR}`` and ``${VAR:-default}`` in any string value are replaced
from the environment, so one file serves every environment; a default may itself hold references
(``${A:-${B:-x}}``), and is expanded only when it is used. A variable's value is taken as written
(a ``${...}`` inside it is not expanded again). Only variables the workflow allows are read: names
given with ``--allow-env NAME`` or starting with ``CEKURA_VAR_``; the API key, the websocket secret
and names that look like secrets never are, so a file changed in a pull request cannot send them to
a host of its choosing. Batch file shapes::

    # YAML or JSON: a mapping (frequency and agent optional) or just the list of scenarios
    frequency: 2
    agent: 7
    scenarios:
      - {scenario: 101, websocket_url: "wss://${AGENT_HOST}/chat"}

    # CSV: a header row; frequency and agent columns are optional and must agree between rows
    scenario,websocket_url
    101,wss://${AGENT_HOST}/chat

The package splits that by job: ``files`` and ``limits`` read a file within bounds, ``variables``
expands ``${VAR}`` under its allow-list, ``entries`` and ``settings`` check what was read,
``batch`` and ``suite`` put it together.
"""

from .batch import Batch, Located
from .loading import load_batch, load_urls
from .problems import InputError, InputProblem
from .suite import SuiteInput, has_groups, load_suite
from .variables import is_valid_variable_name

__all__ = [
    "Batch",
    "InputError",
    "InputProblem",
    "Located",
    "SuiteInput",
    "has_groups",
    "is_valid_variable_name",
    "load_batch",
    "load_suite",
    "load_urls",
]
