#!/bin/sh
# Installs the PAM helper: build/pam/install.sh [APP_DIR] [CONFIG]
# APP_DIR holds out/cli/normface.js (default: this checkout); CONFIG defaults to /etc/normface/pam.conf.
# It does not edit /etc/pam.d: add the line from README.md yourself, keeping a root shell open.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
app=${1:-$(cd "$here/../.." && pwd)}
config=${2:-/etc/normface/pam.conf}
node=$(command -v node)
[ -f "$app/out/cli/normface.js" ] || { echo "build first: $app/out/cli/normface.js is missing (npm run build:electron)" >&2; exit 2; }
install -d -m 755 /usr/local/lib/normface "$(dirname "$config")"
sed -e "s|@NODE@|$node|" -e "s|@NORMFACE@|$app/out/cli/normface.js|" -e "s|@CONFIG@|$config|" "$here/normface-pam.in" > /usr/local/lib/normface/normface-pam
chmod 755 /usr/local/lib/normface/normface-pam
[ -f "$config" ] || install -m 644 "$here/pam.conf.example" "$config"
install -d -m 700 /var/lib/normface
echo "installed /usr/local/lib/normface/normface-pam; edit $config, then add to /etc/pam.d/ (see README.md):"
echo "  auth sufficient pam_exec.so quiet stdout /usr/local/lib/normface/normface-pam"
