"""The gateway serves the committed OpenAPI file: it must be what the monolith generates now."""
from pathlib import Path

import yaml
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "shop" / "openapi.yaml"
PUBLIC_PATHS = {"/register", "/login", "/login/refresh", "/logout", "/.well-known/jwks.json", "/users", "/users/me",
                "/users/{user_id}", "/products", "/products/{product_id}", "/orders", "/orders/{order_id}",
                "/orders/{order_id}/pay", "/orders/{order_id}/cancel",
                "/inventory/{product_id}"}


def test_committed_schema_is_current(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), "run `make schema` and commit shop/openapi.yaml"


def test_schema_lists_exactly_the_public_contract():
    assert set(yaml.safe_load(COMMITTED.read_text())["paths"]) == PUBLIC_PATHS
