#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
SERVICE_NAME=browser
. "$(dirname "$0")/services/lib.sh"
apt_install chromium fonts-noto-cjk
