#!/usr/bin/env bash
# Brings up one Switchboard stack on Docker with the Pulumi CLI:
#   infra/scripts/up.sh platform <env>    # network, NATS, Postgres, observability  (stack platform-<env>)
#   infra/scripts/up.sh <process> <env>   # chat | … | gateway | monolith (stack <process>-<env>)
# A process is one of its environment's topology (topologies/<name>.json); its stack must be
# committed as infra/docker/service/Pulumi.<process>-<env>.yaml.
# Extra arguments go to `pulumi up` (e.g. --yes). Needs the Pulumi CLI and a running Docker engine;
# says so and exits 2 when either is missing.
set -euo pipefail

usage() {
  echo "usage: infra/scripts/up.sh <platform|<process>> <env> [pulumi up args…]" >&2
  echo "       <process>: a process with a stack file infra/docker/service/Pulumi.<process>-<env>.yaml" >&2
  exit 64
}

[[ $# -ge 2 ]] || usage
family="$1"
env="$2"
shift 2
[[ "$env" =~ ^[a-z0-9-]+$ && "$family" =~ ^[a-z][a-z0-9-]*$ ]] || usage
infra="${BASH_SOURCE[0]%/*}/.."
if [[ "$family" == "platform" ]]; then
  program="docker/platform"
elif [[ -f "$infra/docker/service/Pulumi.$family-$env.yaml" ]]; then
  program="docker/service"
else
  usage
fi

if ! command -v pulumi >/dev/null 2>&1; then
  echo "up.sh: the Pulumi CLI ('pulumi') is not installed or not on PATH." >&2
  echo "       Install it, run 'pulumi login', then run this script again." >&2
  exit 2
fi
if ! command -v docker >/dev/null 2>&1; then
  echo "up.sh: Docker ('docker') is not installed or not on PATH." >&2
  echo "       Install Docker and start the engine, then run this script again." >&2
  exit 2
fi
if ! docker info >/dev/null 2>&1; then
  echo "up.sh: Docker is installed but its engine is not reachable ('docker info' failed)." >&2
  echo "       Start the Docker engine (or set DOCKER_HOST), then run this script again." >&2
  exit 2
fi

cd "$infra/$program"
stack="$family-$env"
if [[ "$family" != "platform" ]]; then
  GIT_SHA="${GIT_SHA:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo dev)}"
  export GIT_SHA
fi
pulumi stack select --create "$stack"
pulumi up --stack "$stack" "$@"
