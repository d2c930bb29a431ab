#!/bin/sh
# The `secrets` service of docker-compose.yml. On the first start it generates every secret
# into the `secrets` volume: kura.env for the Kura containers, postgres.env and s3.env for
# those two services. Later starts keep them. The demo password is printed here, once.
set -eu
dir="${KURA_SECRETS_DIR:-/var/lib/kura-secrets}"
if [ -f "$dir/kura.env" ]; then
    echo "Kura: secrets kept from the first start (its log printed the demo password)."
    exit 0
fi
token() { python3 -c 'import secrets, sys; print(secrets.token_urlsafe(int(sys.argv[1])))' "$1"; }
umask 077
db_password=$(token 24)
s3_access_key=$(token 15)
s3_secret_key=$(token 30)
demo_password=$(token 12)
printf "POSTGRES_PASSWORD='%s'\n" "$db_password" >"$dir/postgres.env"
printf "S3PROXY_IDENTITY='%s'\nS3PROXY_CREDENTIAL='%s'\n" "$s3_access_key" "$s3_secret_key" \
    >"$dir/s3.env"
cat >"$dir/kura.env.new" <<SECRETS
DJANGO_SECRET_KEY='$(token 50)'
KURA_JWT_SIGNING_KEY='$(token 48)'
DATABASE_URL='postgres://kura:$db_password@postgres:5432/kura'
AWS_ACCESS_KEY_ID='$s3_access_key'
AWS_SECRET_ACCESS_KEY='$s3_secret_key'
KURA_DEMO_PASSWORD='$demo_password'
SECRETS
# Compose runs this as root, to own the fresh volume; the app runs as the image's user.
if [ "$(id -u)" = 0 ] && id kura >/dev/null 2>&1; then
    chown -R kura:kura "$dir"
fi
# Written last and whole: its presence means every secret exists.
mv "$dir/kura.env.new" "$dir/kura.env"
cat <<MESSAGE
Kura: secrets generated into the "secrets" volume. The demo password, shown this once:
    $demo_password
for operator@kura.example (http://localhost:8000/admin/), owner@acme.example
(http://acme.localhost:8000/) and owner@globex.example (http://globex.localhost:8000/).
MESSAGE
