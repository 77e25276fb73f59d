"""`python -m tests.support.cli ARGS…`: the `assistant` command with the test fakes registered."""

from tests.support import register_fakes

if __name__ == "__main__":
    register_fakes()
    from assistant.cli import run

    run()
