import hashlib


def secret_hash(secret: str) -> str:
    """How invitation tokens and API key secrets are stored: a SHA-256 digest (they are long
    and random, so no slow hash is needed), never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()
