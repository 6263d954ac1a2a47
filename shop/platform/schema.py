"""drf-spectacular hook: the published schema is the public contract, never internal routes."""


def public_endpoints_only(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith("/internal/")]
