#!/usr/bin/env bash
# Analyst statistics on a large database: generates STATS_SESSIONS sessions (1,000,000) over October 2026 in a private
# PostgreSQL cluster, times `stats rebuild` of the whole month, then times the reports of docs/statistics.md:
#   calls-of-an-agent-day  1,000 calls of one agent on one day from the `calls` view
#   skill-group-month      one skill group's month summed by day (`skill_group_day`)
#   agent-month            one agent's month summed by day (`agent_day`)
# each STATS_RUNS times (200) with a random agent, day or group, one connection, and prints p50/p95/max in ms.
#
#   bash bench/stats/run.sh
#
# Environment: STATS_SESSIONS (1000000), STATS_RUNS (200), STATS_KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SESSIONS=${STATS_SESSIONS:-1000000}
RUNS=${STATS_RUNS:-200}

for tool in dotnet psql pgbench python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench/stats: $tool is missing" >&2; exit 1; }
done
PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[ -x "$PG_BIN/initdb" ] || { echo "bench/stats: PostgreSQL server binaries are missing (apt-get install -y postgresql)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/callpush-stats.XXXXXX)
PG_STARTED=
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$PG_STARTED" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ -z "${STATS_KEEP:-}" ]; then rm -rf "$WORK"; else echo "bench/stats: kept $WORK" >&2; fi
}
trap cleanup EXIT
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
seconds_since() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }

log "building CallPush (Release)"
dotnet build -c Release -v q -nologo src/CallPush.Api -o "$WORK/app" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }

PGPORT=$(free_port)
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories='' -c shared_buffers=256MB -c max_wal_size=8GB -c checkpoint_timeout=30min" start >/dev/null
PG_STARTED=1
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=stats
psql -X -q -d postgres -c "CREATE DATABASE stats"
export ConnectionStrings__CallPush="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=stats"
dotnet "$WORK/app/CallPush.Api.dll" migrate >/dev/null

log "generating $SESSIONS sessions"
started=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -v sessions="$SESSIONS" -f bench/stats/generate.sql >/dev/null
GENERATE_S=$(seconds_since "$started")
SIZE=$(psql -X -At -c "SELECT pg_size_pretty(pg_database_size('stats'))")

log "stats rebuild of October 2026"
started=$(date +%s.%N)
dotnet "$WORK/app/CallPush.Api.dll" stats rebuild --from 2026-10-01 --to 2026-10-31 >"$WORK/rebuild.log"
REBUILD_S=$(seconds_since "$started")
psql -X -q -c "VACUUM ANALYZE stat_skill_group_intervals, stat_agent_intervals"
ROWS=$(psql -X -At -c "SELECT (SELECT count(*) FROM stat_skill_group_intervals) || ' skill group rows, ' || (SELECT count(*) FROM stat_agent_intervals) || ' agent rows'")

# p50, p95 and max of pgbench's per-transaction log (third field: latency in microseconds).
measure() {
  local name=$1
  pgbench -n -c 1 -t "$RUNS" -f "bench/stats/$name.sql" -l --log-prefix="$WORK/latency-$name" stats >"$WORK/$name.out" 2>&1 \
    || { cat "$WORK/$name.out" >&2; exit 1; }
  local rows; rows=$(psql -X -At -c "$(sed -e 's/:agent/1/g; s/:day/14/g; s/:group/1000/g' "bench/stats/$name.sql" | grep -v '^\\set')" | wc -l)
  cat "$WORK/latency-$name".* | python3 -c "
import sys
values = sorted(int(line.split()[2]) / 1000 for line in sys.stdin)
pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
print(f'| $name | {len(values)} | $rows | {pick(0.5):.1f} | {pick(0.95):.1f} | {values[-1]:.1f} |')"
}

{
  echo "Sessions: $SESSIONS ($SIZE database, generated in ${GENERATE_S} s); stats rebuild of the month: ${REBUILD_S} s ($ROWS)."
  echo "Load average before the queries: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| query | runs | rows (one run) | p50 ms | p95 ms | max ms |"
  echo "| --- | --- | --- | --- | --- | --- |"
  measure calls-of-an-agent-day
  measure skill-group-month
  measure agent-month
} | tee "$WORK/report.md"
mkdir -p bench/results && cp "$WORK/report.md" bench/results/stats-latest.md
