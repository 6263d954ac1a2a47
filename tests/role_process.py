"""Code run in a fresh Python process of one role, in dev mode on its own data folder: what a role's settings,
URLconf and imports really are, which the test process (the monolith's settings) cannot show."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def role_env(role: str, data_dir, **env_vars: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOP_", "DJANGO_"))}
    env.update(SHOP_SERVICE=role, SHOP_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="shop.settings",
               DJANGO_DEBUG="1")
    return env | env_vars


def run_in_role(role: str, code: str, data_dir, *, timeout: float = 120, **env_vars: str):
    """The JSON value `code` printed last, run as the role (`env_vars` added to its environment)."""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=role_env(role, data_dir, **env_vars),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
