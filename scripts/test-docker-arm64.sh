#!/usr/bin/env bash
# `npm run test:docker:arm64`: the arm64 client image, built on this x86 machine under qemu
# emulation (scripts/ci-docker/arm64-image.sh), on the same private Docker Engine as
# `npm run test:docker` (started here, and stopped again, unless it is already running).
set -euo pipefail
cd "$(dirname "$0")/.."
here=scripts/ci-docker
. "$here/env.sh"
if ! "$FLEXMOE_CI_DOCKER_BIN" version >/dev/null 2>&1; then
  trap '"$here/dockerd.sh" stop' EXIT
  "$here/dockerd.sh" start
fi
"$here/base-images.sh" >/dev/null # the amd64 base runs the build stage natively
"$here/arm64-image.sh"
