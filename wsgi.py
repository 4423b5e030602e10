"""Entry point for WSGI servers and `flask --app wsgi`."""
from exchange.app import create_app

app = create_app()
