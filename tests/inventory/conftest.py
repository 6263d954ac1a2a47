from tests.unit_fixtures import *  # noqa: F401,F403
