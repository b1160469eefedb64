# Shared settings of the Docker Engine CI test (sourced, not run). Everything lives under
# FLEXMOE_CI_CACHE so repeat runs reuse downloads, and nothing in the system's apt state, Docker
# setup or PATH is changed.
FLEXMOE_CI_CACHE=${FLEXMOE_CI_CACHE:-/var/cache/flexmoe-ci}
FLEXMOE_CI_DOCKER_ROOT=${FLEXMOE_CI_DOCKER_ROOT:-/var/lib/flexmoe-ci-docker}
FLEXMOE_CI_DOCKER_SOCK=${FLEXMOE_CI_DOCKER_SOCK:-/run/flexmoe-ci-docker.sock}
export DOCKER_HOST="unix://${FLEXMOE_CI_DOCKER_SOCK}"
# `docker compose` finds the Compose v2 plugin here (see compose-v2.sh), not in the system dirs.
export DOCKER_CONFIG="${FLEXMOE_CI_CACHE}/docker-config"
export DOCKER_BUILDKIT=1
# Debian's docker.io client, not whatever else is first on PATH: client and engine from one package.
if [ -x /usr/bin/docker ]; then FLEXMOE_CI_DOCKER_BIN=/usr/bin/docker; else FLEXMOE_CI_DOCKER_BIN=docker; fi
export FLEXMOE_CI_DOCKER_BIN
mkdir -p "$FLEXMOE_CI_CACHE"
