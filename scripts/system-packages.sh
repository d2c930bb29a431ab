#!/usr/bin/env bash
# Debian libraries the app itself loads at run time: libmagic (apps/files/sniffing.py tells
# an upload's real type from its first bytes with it).
SERVICE_NAME=system
. "$(dirname "$0")/services/lib.sh"
apt_install libmagic1
# The qualified invoice's PDF sets its Japanese text in IPAex Gothic (apps/orders/invoice_pdf.py).
apt_install fonts-ipaexfont
