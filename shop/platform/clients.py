"""Picks an app's client implementation from the topology: in-process when local, HTTP otherwise."""
from functools import cache

from django.utils.module_loading import import_string

from shop.platform.topology import is_local


@cache
def client_for(app: str, local_path: str, http_path: str):
    return import_string(local_path if is_local(app) else http_path)()
