"""Calls between services: the doors' skeleton, the wire format, HTTP, breakers, discovery, service auth."""
