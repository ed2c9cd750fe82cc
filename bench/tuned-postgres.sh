#!/usr/bin/env bash
# A PostgreSQL 15 server of its own for the benchmarks, set up as production would run it: the machine's server keeps
# Debian's defaults (shared_buffers 128 MB), smaller than a million wristbands or events with their indexes, so there
# every benchmark at that size reads pages through the kernel on each query. This one starts on 127.0.0.1:$PORT with
# shared_buffers $SHARED_BUFFERS in $DIR (created on first use, kept between runs), and nothing else changed:
# fsync and synchronous_commit stay on. Point a benchmark at it with the URL it prints, e.g.
#   BENCH_ADMIN_DATABASE_URL=postgresql://postgres@127.0.0.1:5433/test npm run -w @eventgraph/bench bench:checkin
# Stop it with: bench/tuned-postgres.sh stop
set -euo pipefail
PORT=${PORT:-5433}
SHARED_BUFFERS=${SHARED_BUFFERS:-2GB}
DIR=${DIR:-/tmp/eventgraph-pg-tuned}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

# initdb and the server refuse to run as root: run them as the postgres user then
as_owner() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }

if [ "${1:-start}" = stop ]; then
  as_owner "$BIN/pg_ctl -D $DIR/data stop -m fast"
  exit 0
fi
if [ ! -d "$DIR/data" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_owner "$BIN/initdb -D $DIR/data -A trust -U postgres" > "$DIR/initdb.log"
fi
as_owner "$BIN/pg_ctl -D $DIR/data -l $DIR/log -w start -o \"-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR -c shared_buffers=$SHARED_BUFFERS -c max_connections=200\""
psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc 'CREATE DATABASE test'
echo "BENCH_ADMIN_DATABASE_URL=postgresql://postgres@127.0.0.1:$PORT/test"
