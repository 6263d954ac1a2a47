"""Fixtures of the in-process tests, loaded for every test by tests/conftest.py (pytest_plugins)."""
from functools import partial

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import login, make_product, make_user


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Each test starts with no request counted (the throttles count in the cache)."""
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def customer():
    return make_user()


@pytest.fixture
def staff():
    return make_user(staff=True)


@pytest.fixture
def customer_api(customer) -> APIClient:
    return login(customer)


@pytest.fixture
def staff_api(staff) -> APIClient:
    return login(staff)


@pytest.fixture
def product():
    """A 9.99 product with 10 units on hand."""
    return make_product(stock=10)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """`with run_on_commit(): ...` runs the orders database's on-commit hooks (the outbox relay) on exit."""
    return partial(django_capture_on_commit_callbacks, using="orders", execute=True)
