"""A person in headless Chromium uses the browsable API and /docs/, in both topologies (Playwright).

Debian's chromium is driven through Playwright's own protocol (no browser download); every request
outside the shop is aborted and must not be needed. On failure the page's screenshot is kept under
data/browser/; with SHOP_UPDATE_SCREENSHOTS=1 the monolith's pages are saved to docs/ for docs/clients.md."""
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect, sync_playwright

from tests.conftest import STAFF
from tests.contract.client import PASSWORD, unique
from tests.test_schema import COMMITTED

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FAILURES = ROOT / "data" / "browser"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, stack, request):
    """A fresh browser context that may talk to the shop only."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    def only_the_shop(route):
        if route.request.url.startswith(stack.url + "/"):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", only_the_shop)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)  # set by tests/conftest.py's report hook
    if report is None or report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FAILURES / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not outside, f"the pages asked for other hosts: {outside}"


def log_in(page, base: str, username: str, password: str, then: str) -> None:
    page.goto(f"{base}{then}")
    page.get_by_role("link", name="Log in").click()
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#submit-id-submit")
    page.wait_for_url(f"{base}{then}")
    expect(page.locator(".navbar .dropdown-toggle")).to_contain_text(username)


def send_raw(page, body: dict, button: str = "POST") -> dict:
    """Submits the page's raw JSON form; returns the response body the page then shows."""
    page.fill("#id__content", json.dumps(body))
    page.evaluate("document.body.dataset.submitted = 'yes'")
    page.locator(f"form button:text-is('{button}')").last.click()
    page.wait_for_function("() => document.body && !document.body.dataset.submitted")  # DRF's JS swapped the page
    return json.loads(page.locator(".response-info pre").inner_text().split("\n\n", 1)[1])


def status_shown(page) -> str:
    return page.locator(".response-info pre").inner_text().split("\n", 1)[0]


def save_screenshot(page, stack, name: str) -> None:
    if os.environ.get("SHOP_UPDATE_SCREENSHOTS") == "1" and stack.topology == "monolith":
        page.screenshot(path=str(ROOT / "docs" / name))


def test_staff_creates_and_stocks_a_product(page, stack):
    log_in(page, stack.url, STAFF["username"], STAFF["password"], then="/products")
    product = send_raw(page, {"name": "Browser lamp", "price": "19.90", "sku": unique("WEB")})
    assert "201 Created" in status_shown(page) and product["name"] == "Browser lamp"
    save_screenshot(page, stack, "browsable-api.png")
    page.goto(f"{stack.url}/inventory/{product['id']}")
    stock = send_raw(page, {"quantity": 7})
    assert stock["on_hand"] == 7


def test_a_customer_registers_orders_and_pays(page, stack, make_product):
    product = make_product(stock=5, price="4.50")
    username = unique("web")
    page.goto(f"{stack.url}/register")
    send_raw(page, {"username": username, "email": f"{username}@example.com", "password": PASSWORD})
    assert "201 Created" in status_shown(page)
    log_in(page, stack.url, username, PASSWORD, then="/orders")
    order = send_raw(page, {"items": [{"product_id": product["id"], "quantity": 2}]})
    assert order["status"] == "pending" and order["total"] == "9.00"
    page.goto(f"{stack.url}/orders/{order['id']}/pay")
    assert "405" in status_shown(page)  # GET is not allowed; the page still offers the POST form
    assert send_raw(page, {"card_number": "4242424242424242"})["status"] == "paid"


def test_a_browser_gets_error_pages_not_json(page, stack):
    page.goto(f"{stack.url}/orders")
    assert "401 Unauthorized" in status_shown(page)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_docs_show_every_operation(page, stack):
    operations = sum(len(methods) for methods in yaml.safe_load(COMMITTED.read_text())["paths"].values())
    page.goto(f"{stack.url}/docs/")
    page.wait_for_selector(".opblock")
    expect(page.locator(".opblock")).to_have_count(operations)
    save_screenshot(page, stack, "swagger-ui.png")
