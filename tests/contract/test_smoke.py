def test_products_list_is_public(api, product):
    response = api.get("/products")
    assert response.status_code == 200
    assert any(p["id"] == product["id"] for p in response.json()["results"]) or response.json()["count"] >= 1
