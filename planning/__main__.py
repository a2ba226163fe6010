"""Entry point: ``python -m planning [--db URL] COMMAND``."""

import signal
import sys

from planning.cli import main

# `python -m planning areas --json | head` must end quietly when the reader closes the pipe.
if hasattr(signal, "SIGPIPE"):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
