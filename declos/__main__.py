"""`python -m declos` runs the command line."""

import sys

from declos.command import main

sys.exit(main())
