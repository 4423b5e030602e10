"""The pages benchmark's baseline: a bare Flask hello-world, served by gunicorn exactly as the Exchange is."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
