"""A WSGI app that answers with the pid of the worker that served the request (tests/test_gunicorn_conf.py)."""
import os


def application(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
