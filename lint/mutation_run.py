"""`make mutation`'s runner: mutmut, with the modules to mutate and the tests to run
optionally narrowed from the command line instead of setup.cfg's [mutmut] section.

    MUTATION_MODULES="caseapp/core/money.py" MUTATION_TESTS="tests/core/test_money.py" \
        .venv/bin/python lint/mutation_run.py run --max-children 2

(`make mutation MODULES=... TESTS=...` sets both.) Unset, setup.cfg decides: every rule module,
the whole test selection. A narrow run is quicker to iterate on; the scores in docs/testing.md
say which selection measured them.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable

from mutmut import configuration

_read = configuration._config_reader
_OVERRIDES = {"only_mutate": "MUTATION_MODULES", "pytest_add_cli_args_test_selection": "MUTATION_TESTS"}


def _reader() -> Callable[[str, Any], Any]:
    read = _read()

    def conf(key: str, default: Any) -> Any:
        chosen = os.environ.get(_OVERRIDES.get(key, ""), "").split()
        return chosen if chosen else read(key, default)

    return conf


configuration._config_reader = _reader

if __name__ == "__main__":
    from mutmut.__main__ import cli

    sys.argv[0] = "mutmut"
    sys.exit(cli())
