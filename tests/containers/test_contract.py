"""The contract suite, unchanged, through the containerized entry point of each compose profile."""
from tests.contract.test_bad_input import *  # noqa: F401,F403
from tests.contract.test_catalog import *  # noqa: F401,F403
from tests.contract.test_concurrency import *  # noqa: F401,F403
from tests.contract.test_idempotency import *  # noqa: F401,F403
from tests.contract.test_inventory import *  # noqa: F401,F403
from tests.contract.test_meta import *  # noqa: F401,F403
from tests.contract.test_orders import *  # noqa: F401,F403
from tests.contract.test_users import *  # noqa: F401,F403
