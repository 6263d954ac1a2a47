"""A production-mode monolith started with the documented commands (`migrate_all`, `collectstatic`,
`python -m shop.serve`, as tools/stack.py runs them) shows its pages in a real browser (Debian's chromium
through Playwright): the login page, the browsable API and /docs/, with every static file they load."""
import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import _free_port_base
from tests.contract.test_browser import CHROMIUM, FLAGS, TIMEOUT_MS
from tools.stack import Stack, ports_from, production_env


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    stack = Stack("monolith", tmp_path_factory.mktemp("production-pages"), ports=ports_from(_free_port_base()),
                  extra_env=production_env())
    with stack:
        yield stack


@pytest.mark.parametrize("path, selector", [("/api-auth/login/", "#id_username"), ("/", ".response-info"),
                                            ("/docs/", "#swagger-ui")])
def test_pages_and_their_static_files_load(production, path, selector):
    answers = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("response", lambda response: answers.append((response.status, response.url)))
            assert page.goto(f"{production.url}{path}").status == 200, path  # a 500 without the manifest
            page.wait_for_selector(selector)
        finally:
            browser.close()
    assert answers[0][0] == 200, answers
    assert any("/static/" in url for _, url in answers), answers  # the page's CSS and scripts, by hashed name
    assert all(status < 400 for status, _ in answers), answers
