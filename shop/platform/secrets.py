"""Secrets of every role: production refuses missing, short or placeholder values; dev mode makes its own."""
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

MIN_SYMMETRIC_LENGTH = 50
MIN_RSA_BITS = 2048
DEV_PRIVATE_KEY_FILE = "dev-jwt-private.pem"


def example_values(env_example: Path) -> set[str]:
    """The values written in .env.example: documentation, never secrets."""
    if not env_example.exists():
        return set()
    values = set()
    for line in env_example.read_text().splitlines():
        name, separator, value = line.partition("=")
        if separator and not name.lstrip().startswith("#"):
            values.add(value.strip().strip("\"'"))
    return values


def require_secret(name: str, value: str, *, refused: set[str], min_length: int = MIN_SYMMETRIC_LENGTH) -> str:
    """The value, or ImproperlyConfigured naming `name` when it is missing, a known value or too short."""
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (DJANGO_DEBUG unset or 0).")
    if value in refused:
        raise ImproperlyConfigured(f"{name} is a placeholder or a dev value: set a real secret.")
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long.")
    return value


def pem_from_env(value: str) -> str:
    """A PEM key as written in an env file, where newlines may be escaped as \\n."""
    return value.replace("\\n", "\n").strip() + "\n" if value else ""


def require_rsa_key(name: str, pem: str, *, private: bool, refused: set[str]) -> str:
    """The PEM, or ImproperlyConfigured naming `name` when it is missing, a placeholder or not an RSA key."""
    require_secret(name, pem.strip(), refused=refused, min_length=1)
    loader = serialization.load_pem_private_key if private else serialization.load_pem_public_key
    try:
        key = loader(pem.encode(), **({"password": None} if private else {}))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} is not a PEM {'private' if private else 'public'} key.") from exc
    if not isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)) or key.key_size < MIN_RSA_BITS:
        raise ImproperlyConfigured(f"{name} must be an RSA key of at least {MIN_RSA_BITS} bits.")
    return pem


def dev_key_pair(data_dir: Path) -> tuple[str, str]:
    """A dev-only RSA key pair, generated once under data_dir and shared by every role that uses it."""
    path = data_dir / DEV_PRIVATE_KEY_FILE
    if not path.exists():
        _write_once(path, new_key_pair()[0].encode())
    private_pem = path.read_text()
    return private_pem, public_pem_of(private_pem)


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair as (private PEM, public PEM)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS)
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode()
    return private_pem, public_pem_of(private_pem)


def public_pem_of(private_pem: str) -> str:
    public_key = serialization.load_pem_private_key(private_pem.encode(), password=None).public_key()
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _write_once(path: Path, content: bytes) -> None:
    """Writes path atomically unless another process got there first (roles start side by side)."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
