"""Planungsatlas domain package: data model, import, indicators, projections, steering records.

Nothing in here imports streamlit (enforced by ``tests/unit/test_architecture.py``).
"""

__version__ = "0.1.0"

import pandas as _pd

# Text columns stay pandas' "str" dtype, held as Python strings rather than Arrow arrays: the pages
# filter, merge and zip small frames hundreds of times per run, and every such step on an Arrow
# string column goes through pyarrow's take/to_numpy (two fifths of the server's time with 20
# sessions in make bench). Set here, so the app, the command line and the tests behave alike.
_pd.set_option("mode.string_storage", "python")
