"""A real OpenID Connect provider for end-to-end tests, run as a separate process.

Built on Authlib's Flask integration (test-only dependencies: ``authlib``, ``flask``), with
in-memory state that starts fresh on every run. Start it from the repository root::

    python -m tests.oidc_provider --port 8765 --client-id kura --client-secret s3cret \\
        --redirect-uri http://acme.localhost:8000/ --user alice-sub:alice@example.com:true

or, from a test, with :func:`tests.oidc_provider.process.run_provider`, which yields the issuer.
The issuer is ``http://127.0.0.1:PORT``; discovery is at
``/.well-known/openid-configuration``. Only the authorization code flow is offered, with PKCE
S256 required, ``client_secret_post`` or ``client_secret_basic`` at ``/token``, RS256 ID
tokens and a ``/userinfo`` endpoint. Ask for the ``email`` scope to get ``email`` and
``email_verified`` (in both the ID token and userinfo), as with any real provider.

``/authorize`` shows a form listing the users (a select named ``sub``); POSTing it to the same
URL signs that user in and consents. With ``login_hint=<sub or email>`` of a known user it
redirects at once, so a plain HTTP client can follow the whole flow. A code is single use:
a failed exchange (wrong ``code_verifier``, say) burns it too. A ``nonce`` seen before is
refused as a replay, so give each authorization request a fresh one.

Two knobs for testing a relying party: ``POST /users`` with form fields ``sub``, ``email``
and ``email_verified`` (``true``/``false``) adds a user or replaces the one with that
``sub`` (the person changed their email at the provider, say); and ``id_token_claims``, a
JSON object given to ``/authorize``, is laid over the claims of the ID token that code
yields (``{"aud": "someone-else"}``, a foreign ``iss``, an ``exp`` in the past), while
userinfo stays as it was.

This package imports only the standard library; the server itself lives in ``server.py``.
"""

from tests.oidc_provider.process import run_provider

__all__ = ["run_provider"]
