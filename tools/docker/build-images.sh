#!/usr/bin/env bash
# Builds the image of each service and of the stream provisioner (all of them when none is named):
#   tools/docker/build-images.sh [chat|stories|calls|bots|gateway|stream-provisioner ...]
# A service builds from the repository root with services/<service>/Dockerfile; the stream
# provisioner from its own folder, infra/streams (its Dockerfile needs nothing outside it).
# Tags: switchboard-<image>:<git sha> and switchboard-<image>:dev; label
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
  images=("$@")
else
  images=()
  for dockerfile in services/*/Dockerfile; do
    images+=("$(basename "$(dirname "$dockerfile")")")
  done
  images+=(stream-provisioner)
fi

# Every name is checked before the first build, so a typo does not cost the builds before it.
for image in "${images[@]}"; do
  if [ "$image" != stream-provisioner ] && [ ! -f "services/$image/Dockerfile" ]; then
    echo "no services/$image/Dockerfile (images: $(ls services | tr '\n' ' ')stream-provisioner)" >&2
    exit 1
  fi
done

for image in "${images[@]}"; do
  if [ "$image" = stream-provisioner ]; then
    dockerfile=infra/streams/Dockerfile
    context=infra/streams
  else
    dockerfile="services/$image/Dockerfile"
    context=.
  fi
  echo "==> switchboard-$image ($revision)"
  docker build \
    --file "$dockerfile" \
    --build-arg "GIT_SHA=$revision" \
    --tag "switchboard-$image:$revision" \
    --tag "switchboard-$image:dev" \
    "$context"
done
