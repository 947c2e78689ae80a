"""`python -m declos` runs the command line."""

import sys

from declos.cli import main

sys.exit(main())
