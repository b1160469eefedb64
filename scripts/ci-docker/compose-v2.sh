#!/usr/bin/env bash
# Compose v2 for the CI test: Debian bookworm has only Compose v1, so take the `docker-compose`
# package of Debian trixie (a static Go binary) with a private apt state and sources list, and
# install it as a CLI plugin under $DOCKER_CONFIG. The system's bookworm apt state is untouched.
set -euo pipefail
. "$(dirname "$0")/env.sh"
plugin="$DOCKER_CONFIG/cli-plugins/docker-compose"
if [ -x "$plugin" ]; then exit 0; fi
apt_dir="$FLEXMOE_CI_CACHE/apt-trixie"
mkdir -p "$apt_dir/sources" "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/deb" "$DOCKER_CONFIG/cli-plugins"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
cat > "$apt_dir/sources/trixie.sources" <<SRC
Types: deb
URIs: ${mirror:-http://deb.debian.org/debian}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
touch "$apt_dir/state/status"
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources"
  -o "Dir::State=$apt_dir/state" -o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Architecture=amd64" -o "APT::Architectures=amd64" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -qq update
(cd "$apt_dir/deb" && apt-get "${apt_opts[@]}" -qq download docker-compose)
deb=$(ls "$apt_dir"/deb/docker-compose_*.deb | tail -1)
rm -rf "$apt_dir/root" && dpkg-deb -x "$deb" "$apt_dir/root"
bin="$apt_dir/root/usr/libexec/docker/cli-plugins/docker-compose"
[ -f "$bin" ] || { echo "compose-v2: no $bin in $deb" >&2; exit 1; }
install -m 0755 "$bin" "$plugin"
"$plugin" version
