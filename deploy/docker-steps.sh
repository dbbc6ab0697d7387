#!/usr/bin/env bash
# The steps of deploy/Dockerfile, run without Docker (this machine has no Docker daemon): the build
# stage in one folder, the run stage in another, then the container's command as a non-root user,
# checked for readiness and stopped with SIGTERM as `docker stop` would. The Dockerfile's npm steps
# appear here verbatim (test/deploy/dockerfile.test.ts checks that, and runs this script); apt-get
# is the base image's business, and the image's /app paths are this folder's.
#
#   deploy/docker-steps.sh [work folder]     exit 0 when the image's steps build, serve and stop cleanly
set -euo pipefail
context=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
build="$work/build/app"
run="$work/run/app"
mkdir -p "$build" "$run"

echo "== build stage ($build)"
# FROM node:20-bookworm-slim AS build; its apt-get line installs python3, make and g++ (present here)
cd "$build"
cp "$context/package.json" "$context/package-lock.json" ./
npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild
# COPY . . (what git tracks: no node_modules, data or dist of the developer's)
(cd "$context" && git ls-files -z | tar --null -T - -cf -) | tar -xf -
npm run -s build && npm prune --omit=dev --no-audit --no-fund

echo "== run stage ($run)"
cd "$run"
cp "$build/package.json" ./package.json
cp -a "$build/node_modules" ./node_modules
cp -a "$build/dist" ./dist
mkdir -p schema scoring src
cp -a "$build/schema/migrations" ./schema/migrations
cp -a "$build/schema/migrations-pg" ./schema/migrations-pg
cp -a "$build/scoring/tables" ./scoring/tables
cp -a "$build/src/web" ./src/web
# RUN mkdir -p /app/data /app/secrets && chown node:node … && chmod 700 …, in this folder
mkdir -p "$run/data" "$run/secrets"
# USER node: an unprivileged user of this machine stands in for the image's `node`
user=nobody
chmod 755 "$work" "$work/run" "$run"
chown "$user" "$run/data" "$run/secrets" && chmod 700 "$run/data" "$run/secrets"

echo "== CMD as $user"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
env -i PATH="$PATH" JIFEN_HOST=127.0.0.1 JIFEN_PORT="$port" JIFEN_DB_PATH="$run/data/jifen.sqlite" \
  JIFEN_SECRETS_DIR="$run/secrets" JIFEN_LOG_LEVEL=warn \
  setpriv --reuid="$user" --regid=nogroup --clear-groups \
  node --enable-source-maps dist/jifen.mjs serve &
pid=$!
for _ in $(seq 1 2400); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "the service exited before it was ready"; exit 1; }
  sleep 0.05
done
curl -fsS "http://127.0.0.1:$port/readyz"; echo
curl -fsS -o /dev/null "http://127.0.0.1:$port/" && echo "the applicant page is served"
owner=$(stat -c %U "$run/data/jifen.sqlite")
mode=$(stat -c %a "$run/data/jifen.sqlite")
echo "database owned by $owner, mode $mode"
[ "$owner" = "$user" ] && [ "$mode" = 600 ] || { echo "expected $user and 600"; kill "$pid"; exit 1; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
echo "exit status after SIGTERM: $status"
exit "$status"
