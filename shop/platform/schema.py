"""drf-spectacular hook: the published schema is the public contract, once per path, no internal routes."""


def public_endpoints_only(endpoints, **kwargs):
    return [e for e in endpoints if not e[0].startswith("/internal/") and (e[0] == "/" or not e[0].endswith("/"))]
