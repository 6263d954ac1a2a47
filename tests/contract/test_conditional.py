"""Conditional GETs on public reads: ETag, If-None-Match → 304, revalidating Cache-Control; same via the gateway."""
import pytest

from tests.contract.client import unique


def _reads(product) -> list[str]:
    pid = product["id"]
    return [f"/products/{pid}", f"/products?search={product['sku']}", f"/inventory/{pid}"]


@pytest.mark.parametrize("which", [0, 1, 2], ids=["product", "product-list", "stock"])
def test_a_matching_etag_gets_304_without_a_body(api, product, which):
    path = _reads(product)[which]
    first = api.get(path)
    assert first.status_code == 200, first.text
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    again = api.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag


def test_a_change_gives_a_new_etag(api, staff, product):
    path = f"/products/{product['id']}"
    etag = api.get(path).headers["ETag"]
    assert staff.patch(path, {"name": unique("Renamed")}).status_code == 200
    changed = api.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_stock_changes_invalidate_the_stock_etag(api, staff, product):
    path = f"/inventory/{product['id']}"
    etag = api.get(path).headers["ETag"]
    assert staff.post(path, {"quantity": 1}).status_code == 200
    assert api.get(path, headers={"If-None-Match": etag}).status_code == 200
