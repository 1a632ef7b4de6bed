#!/usr/bin/env bash
# Builds the image (scripts/image.sh) and runs the walk-through against a
# container reached on 127.0.0.1 only: a token, a purchase, a docker
# restart, the purchase still listed from the /data volume, and the health
# check reported healthy. Installs Debian's docker.io and starts dockerd
# when they are missing; skips, saying why, only where no daemon can start.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() { echo "container test SKIPPED: $*"; exit 0; }

if ! command -v docker >/dev/null || { ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null; } ||
      skip "docker.io could not be installed"
  else
    skip "no docker and no way to install docker.io (needs root and apt-get)"
  fi
fi
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || skip "dockerd is not running and starting it needs root"
  nohup dockerd >/tmp/dayu-dockerd.log 2>&1 &
  for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || skip "dockerd does not start here (see /tmp/dayu-dockerd.log)"
fi

tag="dayu:ci-$$"
name="dayu-ci-$$"
# The first loopback port from 18080 on that nothing listens on (a Dayu
# left running by hand must not fail the run).
port=${DAYU_CONTAINER_PORT:-}
if [[ -z "$port" ]]; then
  for port in $(seq 18080 18180); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
fi
base="http://127.0.0.1:$port"
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm "$name-data" >/dev/null 2>&1 || true
  docker image rm "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

scripts/image.sh "$tag" | tail -1
docker run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$name-data:/data" "$tag" >/dev/null

wait_ready() {
  for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.1; done
  docker logs "$name"; echo "container not ready on $base"; exit 1
}
wait_ready

token() {
  curl -s -D - -o /dev/null -X POST "$base/v3/auth/tokens" -H 'Content-Type: application/json' \
    -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"dev","password":"dayu-dev-password","domain":{"name":"dayu-dev"}}}},"scope":{"project":{"name":"cn-north-4"}}}}' |
    awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\r'
}
project=0123456789abcdef0123456789abcdef
TOKEN=$(token)
[ -n "$TOKEN" ] || { echo "no token"; exit 1; }
bought=$(curl -sf -X POST "$base/v1/$project/instances/onekey-purchase" \
  -H 'Content-Type: application/json' -H "X-Auth-Token: $TOKEN" \
  -d '{"region_id":"cn-north-4","availability_zone":"cn-north-4a",
       "vpc_id":"11111111-2222-3333-4444-555555555555","net_id":"66666666-7777-8888-9999-000000000000",
       "security_group_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","eps_id":"3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9c",
       "instance_name":"in-a-container","period_type":2,"period_num":1,"is_auto_renew":0,
       "resource_spec_code":"dayu.starter"}')
resource=$(echo "$bought" | sed -n 's/.*"resource_id":"\([^"]*\)".*/\1/p')
[ -n "$resource" ] || { echo "purchase failed: $bought"; exit 1; }
echo "bought $resource"

docker restart "$name" >/dev/null
wait_ready
listed=$(curl -sf "$base/v1/$project/instances" -H "X-Auth-Token: $(token)")
case "$listed" in
  *"\"$resource\""*) echo "listed after docker restart: $resource" ;;
  *) echo "not listed after docker restart: $listed"; exit 1 ;;
esac

status=
for _ in $(seq 1 30); do
  status=$(docker inspect --format '{{.State.Health.Status}}' "$name")
  [ "$status" = healthy ] && break
  sleep 1
done
[ "$status" = healthy ] || { docker inspect --format '{{json .State.Health}}' "$name"; echo "container health: $status"; exit 1; }
echo "container healthy; user $(docker inspect --format '{{.Config.User}}' "$name"); image $(docker image inspect --format '{{.Size}}' "$tag") bytes"
echo "container test passed"
