"""Shared pytest options for the declos test suite."""


def pytest_addoption(parser):
    parser.addoption(
        "--accept",
        action="store_true",
        default=False,
        help="rewrite golden expectation files from the current output (or set DECLOS_ACCEPT=1)",
    )
