#!/usr/bin/env bash
# The arm64 client image in a real run: an amd64 coordinator container and the arm64 client
# container (under qemu emulation, via the binfmt registration of arm64-image.sh) on one Docker
# network, 2 rounds on a small model. Asserts the client exits 0 with the run complete and the
# coordinator saw an arm64 device report both rounds. Called by arm64-image.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
docker() { "$FLEXMOE_CI_DOCKER_BIN" "$@"; }
net=flexmoe-ci-arm64
coord=flexmoe-ci-arm64-coordinator
cleanup() { docker rm -f -v "$coord" flexmoe-ci-arm64-client >/dev/null 2>&1 || true; docker network rm "$net" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
docker network create "$net" >/dev/null
docker run -d --name "$coord" --network "$net" flexmoe-server:latest server --rounds 2 --min-clients 1 \
  --experts 4 --feature-dim 16 --expert-hidden 8 --round-deadline 600 --keep-serving --seed 1 >/dev/null
started=$(date +%s)
docker run --name flexmoe-ci-arm64-client --network "$net" --platform linux/arm64 -e QEMU_CPU=cortex-a72 flexmoe-client:arm64 \
  client --server "$coord:50051" --data fashion-mnist --shard 0/4 --max-samples 200 --capacity 2 --seed 1 \
  >"$FLEXMOE_CI_CACHE/arm64/round.log" 2>&1 || { tail -30 "$FLEXMOE_CI_CACHE/arm64/round.log" >&2; exit 1; }
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$coord")
status=$(curl -sf "http://$ip:9464/api/status")
echo "$status" | node -e '
const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
const arm = s.clients.filter((c) => c.device.arch === "arm64");
if (s.round !== 2 || arm.length !== 1 || arm[0].roundsCompleted < 2) { console.error("arm64 run incomplete:", JSON.stringify({ round: s.round, clients: s.clients })); process.exit(1); }
console.log(`arm64 client ${arm[0].id}: ${arm[0].roundsCompleted} rounds with an amd64 coordinator, accuracy ${s.accuracy}`);
'
echo "arm64 round trip: $(( $(date +%s) - started )) s under emulation"
