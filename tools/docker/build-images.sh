#!/usr/bin/env bash
# Builds the image of each service (all four when none is named) from the repository root:
#   tools/docker/build-images.sh [chat|stories|calls|bots ...]
# Tags: switchboard-<service>:<git sha> and switchboard-<service>:dev; label
# org.opencontainers.image.revision=<git sha>, with "-dirty" when the tree has uncommitted changes.
# Exit 2 when docker (the CLI or its engine) is missing; the build itself needs nothing else.
set -euo pipefail

# Only shell builtins before this check, so it holds on a PATH with nothing on it.
if ! command -v docker >/dev/null 2>&1; then
  echo "docker is not installed: install Docker Engine or Docker Desktop to build images." >&2
  echo "Without it, 'npx nx build <service>' still produces dist/services/<service>/, the image contents." >&2
  exit 2
fi
if ! docker info >/dev/null 2>&1; then
  echo "docker is installed but its engine is not running (docker info failed): start it and retry." >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

sha="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
revision="$sha"
if [ "$sha" != unknown ] && [ -n "$(git status --porcelain 2>/dev/null)" ]; then
  revision="${sha}-dirty"
fi

if [ "$#" -gt 0 ]; then
  services=("$@")
else
  services=()
  for dockerfile in services/*/Dockerfile; do
    services+=("$(basename "$(dirname "$dockerfile")")")
  done
fi

for service in "${services[@]}"; do
  if [ ! -f "services/$service/Dockerfile" ]; then
    echo "no services/$service/Dockerfile (services: $(ls services | tr '\n' ' '))" >&2
    exit 1
  fi
  echo "==> switchboard-$service ($revision)"
  docker build \
    --file "services/$service/Dockerfile" \
    --build-arg "GIT_SHA=$revision" \
    --tag "switchboard-$service:$revision" \
    --tag "switchboard-$service:dev" \
    .
done
