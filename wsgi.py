"""Entry point for WSGI servers and `flask --app wsgi`."""
from exchange import create_app

app = create_app()
