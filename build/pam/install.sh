#!/bin/sh
# Installs face login for PAM as root's own copy, run as root from a built checkout:
#   build/pam/install.sh [PREFIX] [CONFIG]        (defaults /usr/local/lib/normface, /etc/normface/pam.conf)
# PREFIX receives node, the built command, its production packages (with ffmpeg) and the models, all
# root's and writable by no one else, so nothing the checkout's owner changes later runs as root. The
# data folder is NORMFACE_DATA (default /var/lib/normface), created root's, mode 0700. It refuses a
# relative path, a checkout that is not built, and a data folder or configuration another user could
# change; it checks the copy the way the command does at every run before putting it in place.
# It does not edit /etc/pam.d: add the line from README.md yourself, keeping a root shell open.
set -eu
umask 022
fail() { echo "install.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || fail "run it as root (sudo $0)."

here=$(cd "$(dirname "$0")" && pwd -P)
src=$(cd "$here/../.." && pwd -P)
prefix=${1:-/usr/local/lib/normface}
config=${2:-/etc/normface/pam.conf}
data=${NORMFACE_DATA:-/var/lib/normface}
for p in "$prefix" "$config" "$data"; do
  case "$p" in /*) ;; *) fail "$p is not an absolute path; root must not resolve it against someone's working folder." ;; esac
done
node=$(command -v node) || fail "node is not on PATH."
node=$(readlink -f "$node")
for f in out/cli/normface.js out/cli/normface-main.js package.json models/manifest.json; do
  [ -f "$src/$f" ] || fail "build first: $src/$f is missing (npm ci && npm run build:electron)."
done

stage="$prefix.new.$$"
rm -rf "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/app/out/cli" "$stage/app/models" "$stage/app/node_modules"

# node itself, the command (two files: the entry checks before it loads the program), package.json.
cp "$node" "$stage/bin/node"
cp "$src/out/cli/normface.js" "$src/out/cli/normface-main.js" "$stage/app/out/cli/"
cp "$src/package.json" "$stage/app/"
# The models the app ships (not the unshipped int8 embedder), with their manifest and calibration.
cp "$src/models/manifest.json" "$src/models/calibration.json" "$stage/app/models/"
for m in "$src"/models/*.onnx; do
  case "$m" in *_int8.onnx) ;; *) cp "$m" "$stage/app/models/" ;; esac
done

# The production packages and theirs (as Node resolves them: flat, beside the app), links resolved.
"$node" -e '
  const { existsSync, readFileSync } = require("node:fs");
  const { join } = require("node:path");
  const root = process.argv[1];
  const seen = new Set();
  const visit = (name) => {
    const dir = join(root, "node_modules", name);
    if (seen.has(name) || !existsSync(join(dir, "package.json"))) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  for (const dep of Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies || {})) visit(dep);
  console.log([...seen].join("\n"));
' "$src" | while IFS= read -r pkg; do
  mkdir -p "$stage/app/node_modules/$(dirname "$pkg")"
  cp -RL "$src/node_modules/$pkg" "$stage/app/node_modules/$pkg"
done
# onnxruntime-node ships every platform's binaries; this machine needs its own.
ortbin="$stage/app/node_modules/onnxruntime-node/bin/napi-v6"
if [ -d "$ortbin" ]; then
  os=$(uname -s | tr 'A-Z' 'a-z')
  arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
  for d in "$ortbin"/*; do [ "$d" = "$ortbin/$os" ] || rm -rf "$d"; done
  for d in "$ortbin/$os"/*; do [ "$d" = "$ortbin/$os/$arch" ] || rm -rf "$d"; done
fi

sed -e "s|@NODE@|$prefix/bin/node|" -e "s|@NORMFACE@|$prefix/app/out/cli/normface.js|" -e "s|@CONFIG@|$config|" "$here/normface-pam.in" > "$stage/normface-pam"
printf '#!/bin/sh\n# The installed command, for root: enroll, list, verify ... on %s\nexec %s %s "$@"\n' "$data" "$prefix/bin/node" "$prefix/app/out/cli/normface.js" > "$stage/bin/normface"

# Root's alone: owner root, no write for group or others, no links left.
chown -R root:root "$stage"
chmod -R u+rwX,go+rX,go-w "$stage"
chmod 755 "$stage/normface-pam" "$stage/bin/normface" "$stage/bin/node"
[ -z "$(find "$stage" -type l)" ] || fail "the copy holds symbolic links: $(find "$stage" -type l | head -3)"

# The data folder and the configuration: created root's, or refused when another user could change them.
if [ -e "$data" ] || [ -L "$data" ]; then
  [ ! -L "$data" ] && [ -d "$data" ] || fail "$data is not a folder (or is a link); move it away first."
  [ "$(stat -c %u "$data")" = 0 ] || fail "$data does not belong to root; root must not read data another user can change (move it away, or chown -R root:root it)."
  case "$(stat -c %a "$data")" in *[2367]? | *[2367]) fail "$data can be written by others (chmod 700 $data)." ;; esac
else
  install -d -m 700 -o root -g root "$data"
fi
install -d -m 755 -o root -g root "$(dirname "$config")"
if [ -e "$config" ] || [ -L "$config" ]; then
  [ ! -L "$config" ] && [ "$(stat -c %u "$config")" = 0 ] || fail "$config must be a file of root's, not a link."
else
  sed -e "s|^data = .*|data = $data|" "$here/pam.conf.example" > "$config"
  chown root:root "$config"
  chmod 644 "$config"
fi

# The check every run makes as root (node, the command, its packages, the models), on the copy.
"$stage/bin/node" "$stage/app/out/cli/normface.js" --help >/dev/null || fail "the copy in $stage did not pass the command's own check (above)."

if [ -e "$prefix" ]; then rm -rf "$prefix.old"; mv "$prefix" "$prefix.old"; fi
mv "$stage" "$prefix"
trap - EXIT
rm -rf "$prefix.old"
echo "installed $prefix (node, the command, its packages, the models: root's alone)"
echo "enroll:  sudo $prefix/bin/normface --data $data enroll NAME --photos DIR --login-as USER"
echo "then put the printed 'user USER = ID' line in $config, and add to the PAM service (see README.md):"
echo "  auth sufficient pam_exec.so quiet stdout $prefix/normface-pam"
