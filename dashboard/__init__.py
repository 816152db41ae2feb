"""The manager dashboard (Streamlit): `wagate dashboard` serves dashboard/app.py."""
