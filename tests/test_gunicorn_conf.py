"""gunicorn.conf.py states its forwarded-header trust explicitly (gunicorn's defaults are not relied on)."""
import runpy
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def loaded(monkeypatch, **env) -> Config:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # gunicorn's own env default must not matter
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_only_x_forwarded_proto_is_a_scheme_header_and_only_from_loopback_by_default(monkeypatch):
    config = loaded(monkeypatch)
    assert config.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]


def test_the_trusted_proxies_are_set_by_env(monkeypatch):
    assert loaded(monkeypatch, GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.5").forwarded_allow_ips == ["10.0.0.5"]
