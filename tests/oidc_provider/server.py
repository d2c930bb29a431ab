"""The provider's Flask app: Authlib does the protocol, this module only stores things in memory.

See the package docstring for what it offers; :func:`create_app` builds a fresh provider.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeGrant,
    ClientMixin,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Request,
    TokenMixin,
)
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo, UserInfoEndpoint
from flask import Flask, Response, abort, jsonify, request
from joserfc.jwk import RSAKey

SCOPES = ("openid", "email", "profile")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
CODE_LIFETIME = 600  # RFC 6749 §4.1.2 recommends at most ten minutes.
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class User:
    sub: str
    email: str
    email_verified: bool

    def claims(self, scope: str) -> UserInfo:
        info = UserInfo(sub=self.sub, email=self.email, email_verified=self.email_verified)
        return info.filter(scope)


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    redirect_prefixes: tuple[str, ...]
    users: tuple[User, ...]


@dataclass(frozen=True)
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_prefixes: tuple[str, ...]
    # Read by Authlib's UserInfoEndpoint; empty means plain JSON userinfo.
    client_metadata: dict[str, Any] = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # OpenID Connect makes redirect_uri mandatory, so there is no default to fall back on.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        return list_to_scope([s for s in scope_to_list(scope) or [] if s in SCOPES])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Prefixes rather than exact URIs, because each tenant has its own host.
        return redirect_uri.startswith(self.redirect_prefixes)

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    redirect_uri: str
    scope: str
    user: User
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    auth_time: int
    # Test knob: claims laid over this code's ID token (a wrong aud or iss, an old exp).
    id_token_claims: dict[str, Any] = field(default_factory=dict)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass(frozen=True)
class Token(TokenMixin):
    client: Client
    user: User
    scope: str
    issued_at: int
    expires_in: int

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> User:
        return self.user

    def get_client(self) -> Client:
        return self.client


@dataclass
class Store:
    config: Config
    client: Client
    key: RSAKey
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    users: dict[str, User] = field(default_factory=dict)  # by sub; POST /users changes it

    def user(self, sub_or_email: str | None) -> User | None:
        return next((u for u in self.users.values() if sub_or_email in (u.sub, u.email)), None)


class Server(AuthorizationServer):
    # Authlib builds grants itself, from (request, server): this is how they reach the store.
    store: Store


class CodeGrant(AuthorizationCodeGrant):
    server: Server

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        if nonce := data.get("nonce"):
            self.server.store.nonces.add(nonce)
        self.server.store.codes[code] = AuthorizationCode(
            code=code,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            user=request.user,
            nonce=nonce,
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            auth_time=int(time.time()),
            id_token_claims=json.loads(data.get("id_token_claims") or "{}"),
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        # Popping here rather than in delete_authorization_code keeps a code single-use even
        # under concurrent requests; a failed exchange burns it, which RFC 6749 allows.
        found = self.server.store.codes.pop(code, None)
        if found is None or time.time() > found.auth_time + CODE_LIFETIME:
            return None
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        pass

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User:
        return authorization_code.user


class RequiredS256(CodeChallenge):
    """Authlib's PKCE, made mandatory for every client and limited to S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: CodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        # Authlib only insists on PKCE for public clients; our tests want it always.
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge' (PKCE S256 is required)")
        # Without this, an absent method would default to "plain".
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'")
        super().validate_code_challenge(grant, redirect_uri)


class IdTokens(OpenIDCode):
    def __init__(self, store: Store) -> None:
        super().__init__(require_nonce=False)
        self.store = store

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return nonce in self.store.nonces

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.store.key

    def get_encode_header(self, client: Client) -> dict[str, str]:
        # A kid lets relying parties (mozilla-django-oidc among them) pick the key from /jwks.
        return {"alg": "RS256", "kid": self.store.key.kid or ""}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.store.config.issuer,
            "aud": client.client_id,
            "exp": now + TOKEN_LIFETIME,
        }

    def get_authorization_code_claims(
        self, authorization_code: AuthorizationCode
    ) -> dict[str, Any]:
        # Laid over iss, aud, exp and iat; the user's claims (sub, email) still come after.
        claims = super().get_authorization_code_claims(authorization_code)
        return {**claims, **authorization_code.id_token_claims}

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        return user.claims(scope)


class UserInfoView(UserInfoEndpoint):
    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        return user.claims(scope)


class TokenValidator(BearerTokenValidator):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def authenticate_token(self, token_string: str) -> Token | None:
        return self.store.tokens.get(token_string)


def discovery_document(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified"],
    }


def login_form(users: list[User]) -> str:
    options = "".join(f'<option value="{escape(u.sub)}">{escape(u.email)}</option>' for u in users)
    return (
        "<!doctype html><title>Test OpenID provider</title>"
        f'<form method="post" action="{escape(request.full_path)}">'
        f'<select name="sub">{options}</select> <button type="submit">Sign in</button></form>'
    )


def create_app(config: Config) -> Flask:
    store = Store(
        config=config,
        client=Client(config.client_id, config.client_secret, config.redirect_prefixes),
        key=RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True),
        users={u.sub: u for u in config.users},
    )

    def query_client(client_id: str) -> Client | None:
        return store.client if client_id == store.client.client_id else None

    def save_token(token: dict[str, Any], oauth_request: OAuth2Request) -> None:
        store.tokens[token["access_token"]] = Token(
            client=oauth_request.client,
            user=oauth_request.user,
            scope=token["scope"],
            issued_at=int(time.time()),
            expires_in=token["expires_in"],
        )

    app = Flask(__name__)
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": TOKEN_LIFETIME}
    server = Server(app, query_client=query_client, save_token=save_token)
    server.store = store
    server.register_grant(CodeGrant, [RequiredS256(), IdTokens(store)])
    protector = ResourceProtector()
    protector.register_token_validator(TokenValidator(store))
    server.register_endpoint(UserInfoView(resource_protector=protector))
    add_routes(app, server)
    add_user_control(app, store)
    return app


def add_routes(app: Flask, server: Server) -> None:
    store = server.store

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        return jsonify(discovery_document(store.config.issuer))

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify({"keys": [store.key.as_dict(private=False)]})

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Response | str:
        if request.method == "POST":
            user = store.user(request.form.get("sub"))
            if user is None:
                abort(400, "unknown sub")
        else:
            user = store.user(request.args.get("login_hint"))
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        if user is None:
            return login_form(list(store.users.values()))
        return server.create_authorization_response(grant=grant, grant_user=user)

    @app.post("/token")
    def token() -> Response:
        return server.create_token_response()

    @app.route("/userinfo", methods=["GET", "POST"])
    def userinfo() -> Response:
        return server.create_endpoint_response("userinfo")


def add_user_control(app: Flask, store: Store) -> None:
    """``POST /users``: a test adds a person at the provider, or changes one's email."""

    @app.post("/users")
    def put_user() -> Response:
        form = request.form
        if not form.get("sub") or not form.get("email"):
            abort(400, "sub and email are required")
        user = User(
            sub=form["sub"],
            email=form["email"],
            email_verified=form.get("email_verified", "").lower() == "true",
        )
        store.users[user.sub] = user
        return jsonify({"sub": user.sub, "email": user.email})
