"""Entry point: ``python -m planning [--db URL] COMMAND``."""

import sys

from planning.cli import main

sys.exit(main())
