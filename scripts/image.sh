#!/usr/bin/env bash
# Builds the Dayu container image, tagged $1 (default dayu:dev), pulling
# nothing: a static Go binary (CGO_ENABLED=0; the SQLite driver is pure Go)
# in an image FROM scratch, with the docker CLI alone (no buildx: the
# classic builder, DOCKER_BUILDKIT=0, builds FROM scratch with no registry).
set -euo pipefail
tag=${1:-dayu:dev}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH=/usr/local/go/bin:$PATH

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
# The binary is for the daemon's platform, which may not be this machine's.
arch=$(docker version --format '{{.Server.Arch}}')
(cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -ldflags='-s -w' -o "$ctx/dayu" ./cmd/dayu)
mkdir "$ctx/data" "$ctx/tmp"
chmod 0755 "$ctx/data"
chmod 1777 "$ctx/tmp"
cp "$root/Dockerfile" "$ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build --pull=false --tag "$tag" "$ctx"
docker image inspect --format "built $tag: {{.Size}} bytes" "$tag"
