"""Streamlit building blocks of Samrisk: pages are assembled from these; the engine lives in risk/."""
