#!/usr/bin/env bash
# `npm run test:docker`: builds both images and runs the compose fleet on a real Docker Engine.
# Starts a dockerd of its own (own data root, socket and bridge; stopped again on exit), fetches
# Compose v2, makes the base images locally (no registry is reachable from CI), then runs the
# *.docker-test.js files in order. Any missing piece is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
here=scripts/ci-docker
. "$here/env.sh"
started=$(date +%s)
stamp() { echo "test:docker: $1 after $(( $(date +%s) - started )) s"; }

"$here/compose-v2.sh" >/dev/null
trap '"$here/dockerd.sh" stop' EXIT
"$here/dockerd.sh" start
stamp "engine up ($("$FLEXMOE_CI_DOCKER_BIN" version --format '{{.Server.Version}}'), $(docker compose version --short 2>/dev/null || echo 'no compose'))"
"$here/base-images.sh"
stamp "base images ready"
npx tsc -b
rm -f test-output/docker-measurements.json
node --test --test-concurrency=1 server/dist/test/docker-1-images.docker-test.js server/dist/test/docker-2-fleet.docker-test.js
stamp "done"
cat test-output/docker-measurements.json
