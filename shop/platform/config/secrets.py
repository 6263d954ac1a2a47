"""Secrets of every role: production refuses missing, short or placeholder values; dev mode makes its own."""
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.core.exceptions import ImproperlyConfigured

from shop.platform.topology import APPS, TOKEN_ISSUER, is_service, owned_apps

MIN_SYMMETRIC_LENGTH = 50
MIN_TOKEN_LENGTH = 32  # a bearer token an operator's scraper sends (SHOP_METRICS_TOKEN)
PLACEHOLDER = "placeholder"  # every example value says so; no secret does
MIN_RSA_BITS = 2048
DEV_PRIVATE_KEY_FILE = "dev-jwt-private.pem"
DEV_SECRETS = {"DJANGO_SECRET_KEY": "dev-only-insecure-secret-key-never-use-in-production-0123456789"}


class RoleSecrets:
    """The secrets one role reads from its environment (`read(name, default)`, e.g. environ.Env().str):
    in dev mode the dev values, else required and checked, known values (dev, derived, .env.example) refused."""

    def __init__(self, read, *, role: str, debug: bool, data_dir: Path, env_example: Path):
        self.read, self.role, self.debug, self.data_dir = read, role, debug, data_dir
        self.refused = set(DEV_SECRETS.values()) | example_values(env_example) | {
            pem.strip() for app in APPS for pem in dev_service_key_pair(app)}  # derived from public code

    def secret(self, name: str, *, min_length: int = MIN_SYMMETRIC_LENGTH, needed: bool = True) -> str:
        """A symmetric secret; where it is not `needed`, "" when unset (a value set is checked all the same).
        Dev mode: the value set, else the dev value, if any."""
        if self.debug:
            return self.read(name, DEV_SECRETS.get(name, ""))
        value = self.read(name, "")
        if not (needed or value):
            return ""
        return require_secret(name, value, refused=self.refused, min_length=min_length)

    def jwt_key(self, name: str, *, private: bool, needed: bool) -> str:
        """A PEM key of the user-token pair, or "" where the role needs none; dev mode: the generated dev pair."""
        pem = pem_from_env(self.read(name, ""))
        if not needed:
            if pem and private and not self.debug:
                raise ImproperlyConfigured(f"{name} belongs to the roles that issue user tokens (monolith, or "
                                           f"those hosting {TOKEN_ISSUER}) only.")
            return ""
        if self.debug and not pem:
            return dev_key_pair(self.data_dir)[0 if private else 1]
        return require_rsa_key(name, pem, private=private, refused=self.refused)

    def service_keys(self) -> tuple[dict[str, str], dict[str, str]]:
        """Service-token keys: (private by app, public by app). A service holds the private keys of the apps it
        hosts (a group: each of its apps', as calls from app X are signed with X's) and every app's public key;
        dev mode has every app's derived dev pair; the monolith and the gateway need none."""
        if self.debug:
            pairs = {app: dev_service_key_pair(app) for app in APPS}
            return {app: pair[0] for app, pair in pairs.items()}, {app: pair[1] for app, pair in pairs.items()}
        own = owned_apps(self.role) if is_service(self.role) else ()
        for app in APPS:
            if app not in own and self.read(service_key_name(app, "private"), ""):
                raise ImproperlyConfigured(
                    f"{service_key_name(app, 'private')} belongs to the services hosting {app} only, not {self.role}.")
        if not own:
            return {}, {}
        return {app: self._service_key(app, "private") for app in own}, {app: self._service_key(app, "public")
                                                                          for app in APPS}

    def _service_key(self, app: str, kind: str) -> str:
        name = service_key_name(app, kind)
        return require_ed25519_key(name, pem_from_env(self.read(name, "")), private=kind == "private",
                                   refused=self.refused)


def service_key_name(app: str, kind: str) -> str:
    """The variable holding an app's service-token key: kind is "private" or "public"."""
    return f"SHOP_{app.upper()}_SERVICE_{kind.upper()}_KEY"


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
    if value in refused or PLACEHOLDER in value.lower():  # the examples' values (.env.example, deploy/k8s)
        raise ImproperlyConfigured(f"{name} is a placeholder or a dev value: set a real secret.")
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long.")
    return value


def pem_from_env(value: str) -> str:
    """A PEM key as written in an env file, where newlines may be escaped as \\n."""
    return value.replace("\\n", "\n").strip() + "\n" if value else ""


def require_rsa_key(name: str, pem: str, *, private: bool, refused: set[str]) -> str:
    """The PEM, or ImproperlyConfigured naming `name` when it is missing, a placeholder or not an RSA key."""
    key = _load(name, pem, private=private, refused=refused)
    if not isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)) or key.key_size < MIN_RSA_BITS:
        raise ImproperlyConfigured(f"{name} must be an RSA key of at least {MIN_RSA_BITS} bits.")
    return pem


def require_ed25519_key(name: str, pem: str, *, private: bool, refused: set[str]) -> str:
    """The PEM, or ImproperlyConfigured naming `name` when it is missing, a placeholder or not an Ed25519 key."""
    if not isinstance(_load(name, pem, private=private, refused=refused),
                      (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        raise ImproperlyConfigured(f"{name} must be an Ed25519 key.")
    return pem


def _load(name: str, pem: str, *, private: bool, refused: set[str]):
    require_secret(name, pem.strip(), refused=refused, min_length=1)
    loader = serialization.load_pem_private_key if private else serialization.load_pem_public_key
    try:
        return loader(pem.encode(), **({"password": None} if private else {}))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} is not a PEM {'private' if private else 'public'} key.") from exc


def dev_service_key_pair(role: str) -> tuple[str, str]:
    """A role's dev-only service key pair, the same in every process (derived from the role's name)."""
    seed = hashlib.sha256(f"shop dev-only service key of {role}".encode()).digest()
    return _pem_pair(ed25519.Ed25519PrivateKey.from_private_bytes(seed))


def new_service_key_pair() -> tuple[str, str]:
    """A fresh Ed25519 key pair as (private PEM, public PEM)."""
    return _pem_pair(ed25519.Ed25519PrivateKey.generate())


def _pem_pair(private_key) -> tuple[str, str]:
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode()
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


def dev_key_pair(data_dir: Path) -> tuple[str, str]:
    """A dev-only RSA key pair, generated once under data_dir and shared by every role that uses it."""
    path = data_dir / DEV_PRIVATE_KEY_FILE
    if not path.exists():
        _write_once(path, new_key_pair()[0].encode())
    private_pem = path.read_text()
    return private_pem, public_pem_of(private_pem)


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair as (private PEM, public PEM)."""
    return _pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS))


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
