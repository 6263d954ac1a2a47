"""CORS for a storefront on another origin: preflights answered before authentication, headers exposed."""
import pytest

from tests.conftest import STOREFRONT


@pytest.mark.parametrize("path", ["/orders", "/orders/1/pay", "/products", "/inventory/1"])
def test_preflight_from_an_allowed_origin_is_answered_without_credentials(api, path):
    response = api.request("OPTIONS", path, headers={
        "Origin": STOREFRONT, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == STOREFRONT
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_a_cross_origin_answer_exposes_the_shop_headers(api):
    response = api.get("/products", headers={"Origin": STOREFRONT})
    assert response.headers["Access-Control-Allow-Origin"] == STOREFRONT
    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"idempotent-replayed", "location", "retry-after"} <= exposed


def test_other_origins_get_no_cors_grant(api):
    response = api.request("OPTIONS", "/orders", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers
