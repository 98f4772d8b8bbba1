"""The full service: the FastAPI app, its JSON API, the drawing page and the admin routes."""
