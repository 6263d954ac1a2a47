"""Links point where the client is: pagination links name the public entry point (the gateway in split
mode, never a service's own address), whatever Host-like headers a client adds."""
import pytest


@pytest.mark.parametrize("extra", [{}, {"X-Forwarded-Host": "evil.example.com", "X-Forwarded-Proto": "https"}])
def test_pagination_links_point_at_the_public_entry_point(api, make_product, extra):
    make_product(stock=0)
    make_product(stock=0)
    first = api.get("/products?page_size=1", headers=extra).json()
    assert first["next"].startswith(f"{api.base_url}/products?")
    second = api.get(first["next"].removeprefix(api.base_url), headers=extra).json()
    assert second["previous"].startswith(f"{api.base_url}/products")
