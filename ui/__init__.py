"""Streamlit glue: cached data access, session/URL state, shared components."""
