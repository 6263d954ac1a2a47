"""The API gateway: its routes, derived from the apps', its forwarding view and its stale-read fallback."""
