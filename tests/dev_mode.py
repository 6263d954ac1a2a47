"""Loaded first by pytest (`-p tests.dev_mode` in pyproject.toml), before Django reads its settings:
the in-process tests run in dev mode. Live stacks set their own mode (tools/stack.py)."""
import os

os.environ.setdefault("DJANGO_DEBUG", "1")
