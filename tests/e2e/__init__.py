"""End-to-end tests in headless Chromium against a running Streamlit server (marker ``e2e``)."""
