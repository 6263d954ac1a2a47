"""gunicorn.conf.py states its forwarded-header trust explicitly: gunicorn believes no forwarded header,
whatever its defaults or FORWARDED_ALLOW_IPS say; Django decides from SHOP_TRUSTED_PROXIES."""
import runpy
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_gunicorn_trusts_no_peer_with_forwarded_headers(monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # gunicorn's own env default must not matter
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    assert config.secure_scheme_headers == {}
    assert config.forwarded_allow_ips == []
