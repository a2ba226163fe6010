"""Planungsatlas domain package: data model, import, indicators, projections, steering records.

Nothing in here imports streamlit (enforced by ``tests/test_architecture.py``).
"""

__version__ = "0.1.0"
