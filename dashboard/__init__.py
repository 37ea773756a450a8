"""The Streamlit dashboard (reads the store, never writes)."""
