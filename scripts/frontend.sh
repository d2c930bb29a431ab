#!/usr/bin/env bash
# The browser packages from the npm registry (frontend/package.json, versions pinned by its
# lock file), with the files the pages load copied into static/vendor/ (git-ignored), so
# nothing is fetched from a CDN at run time. `--production` leaves out what only the tests
# use (axe-core).
SERVICE_NAME=frontend
. "$(dirname "$0")/services/lib.sh"

command -v npm >/dev/null || apt_install nodejs npm
cd "$KURA_ROOT/frontend"
omit=()
[ "${1:-}" = --production ] && omit=(--omit=dev)
npm ci --no-audit --no-fund --loglevel=error "${omit[@]}"

VENDOR="$KURA_ROOT/static/vendor"
rm -rf "$VENDOR"
mkdir -p "$VENDOR/pico" "$VENDOR/htmx" "$VENDOR/uppy"
cp node_modules/@picocss/pico/css/pico.blue.min.css "$VENDOR/pico/"
cp node_modules/@picocss/pico/LICENSE.md "$VENDOR/pico/"
cp node_modules/htmx.org/dist/htmx.min.js "$VENDOR/htmx/"
cp node_modules/htmx.org/LICENSE "$VENDOR/htmx/"
# Uppy's own browser bundle (core, dashboard, aws-s3 and the rest in one file, window.Uppy),
# and its Japanese strings, which add themselves to window.Uppy.locales; with the source
# maps they name (collectstatic's manifest wants every file a file refers to).
cp node_modules/uppy/dist/uppy.min.{js,js.map,css} node_modules/uppy/LICENSE "$VENDOR/uppy/"
cp node_modules/@uppy/locales/dist/ja_JP.min.{js,js.map} "$VENDOR/uppy/"
touch "$VENDOR/.installed"
