#!/usr/bin/env bash
# Data exports on one machine: one day of BENCH_SESSIONS call sessions (1,000,000) with one participant each,
# exported by the running service to the folder connector (calls and participants containers). Reports rows/s
# (rows written and delivered over the run's duration) and the service's RSS growth during the run, and writes the
# table to bench/results/exports-latest.md.
#
#   bash bench/exports/run.sh
#
# Environment: BENCH_SESSIONS (1000000), EXPORT_GZIP (false).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SESSIONS=${BENCH_SESSIONS:-1000000}
GZIP=${EXPORT_GZIP:-false}

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing ($2)" >&2; exit 1; }; }
need dotnet "the .NET SDK"
need psql "apt-get install -y postgresql-client"
need curl "apt-get install -y curl"
PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[ -x "$PG_BIN/initdb" ] || { echo "bench: PostgreSQL server binaries are missing (apt-get install -y postgresql)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/callpush-exports-bench.XXXXXX)
SERVICE_PID=
PG_STARTED=
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local status=$?
  [ -n "$SERVICE_PID" ] && { kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; }
  [ -n "$PG_STARTED" ] && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

PGPORT=$(free_port)
mkdir -p "$WORK/pg" "$WORK/exports"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories='' -c shared_buffers=256MB -c max_wal_size=8GB" start >/dev/null
PG_STARTED=1
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres
sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d callpush -c "$1"; }
psql -X -q -At -d postgres -c "CREATE DATABASE callpush"
CONNECTION="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=callpush"

log "building CallPush (Release)"
dotnet build -c Release -v q -nologo src/CallPush.Api >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
DLL=$ROOT/src/CallPush.Api/bin/Release/net10.0/CallPush.Api.dll
ConnectionStrings__CallPush=$CONNECTION dotnet "$DLL" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }

log "writing $SESSIONS sessions with one participant each on 2026-03-07 (UTC)"
sql "INSERT INTO push_log (dedup_key, action, received_at, sdk_app_id, status, error_code, body_bytes)
     VALUES ('bench', 'cdr', now(), 1400482256, 'accepted', 0, 1000)"
sql "INSERT INTO call_sessions (sdk_app_id, session_id, caller, callee, direction, duration_seconds, ivr_duration_seconds,
       started_at, ring_at, accepted_at, ended_at, hung_up_side, end_status, user_remark, uui, cdr_push_id, updated_at)
     SELECT 1400482256, 'bench-' || i, '0086400' || lpad(i::text, 7, '0'), '00861840000' || (i % 10000), i % 2, 60, 5,
       timestamptz '2026-03-07 00:00:00+00' + (i::bigint * 86399 / $SESSIONS) * interval '1 second',
       timestamptz '2026-03-07 00:00:02+00' + (i::bigint * 86399 / $SESSIONS) * interval '1 second',
       timestamptz '2026-03-07 00:00:05+00' + (i::bigint * 86399 / $SESSIONS) * interval '1 second',
       timestamptz '2026-03-07 00:01:05+00' + (i::bigint * 86399 / $SESSIONS) * interval '1 second',
       'user', 'ok', CASE WHEN i % 10 = 0 THEN 'remark, with \"quotes\"' END, 'uui-' || i, (SELECT id FROM push_log), now()
     FROM generate_series(1, $SESSIONS) i"
sql "INSERT INTO serve_participants (call_session_id, sdk_app_id, sequence, mail, type, started_at, ring_at, accepted_at, ended_at, end_status)
     SELECT id, sdk_app_id, 0, 'agent' || (id % 500) || '@example.com', 'staffSeat', started_at, ring_at, accepted_at, ended_at, 'ok'
     FROM call_sessions"
sql "VACUUM ANALYZE"

PORT=$(free_port)
(cd "$(dirname "$DLL")" && exec env ASPNETCORE_ENVIRONMENT=Production "ConnectionStrings__CallPush=$CONNECTION" \
  "CallPush__Exports__FolderRoot=$WORK/exports" "CallPush__Exports__TempPath=$WORK/tmp" CallPush__Exports__PollInterval=00:00:00.2 \
  dotnet "$DLL" --urls "http://127.0.0.1:$PORT") >"$WORK/callpush.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$WORK/callpush.log"; exit 1; }
  sleep 0.1
done
KEY=$(ConnectionStrings__CallPush=$CONNECTION dotnet "$DLL" api-keys create --name bench 2>/dev/null)
api() { curl -fsS -H "X-API-Key: $KEY" -H 'Content-Type: application/json' "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
BASE=http://127.0.0.1:$PORT
CONNECTOR=$(api "$BASE/exports/connectors" -d '{"name":"bench","kind":"folder","path":"bench"}' | json '["id"]')
JOB=$(api "$BASE/exports/jobs" -d "{\"name\":\"bench\",\"connectorId\":$CONNECTOR,\"containers\":[\"calls\",\"participants\"],
  \"tenants\":[1400482256],\"timeZone\":\"UTC\",\"enabled\":false,\"gzip\":$GZIP}" | json '["id"]')
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVICE_PID/status"; }

sleep 2
RSS_BEFORE=$(rss_kb)
log "exporting (service RSS before: $((RSS_BEFORE / 1024)) MB)"
RUN=$(api "$BASE/exports/jobs/$JOB/runs" -d '{"day":"2026-03-07"}' | json '["id"]')
RSS_MAX=$RSS_BEFORE
while true; do
  rss=$(rss_kb); [ "$rss" -gt "$RSS_MAX" ] && RSS_MAX=$rss
  status=$(api "$BASE/exports/runs/$RUN" | json '["status"]')
  case "$status" in pending|processing|delivering) sleep 0.2 ;; *) break ;; esac
done
api "$BASE/exports/runs/$RUN" >"$WORK/run.json"
[ "$status" = success ] || { cat "$WORK/run.json"; echo "bench: the run ended $status" >&2; exit 1; }
read -r ROWS SECONDS_TAKEN BYTES <<<"$(python3 -c "import json; r=json.load(open('$WORK/run.json')); print(r['rows'], r['durationSeconds'], r['bytes'])")"
RATE=$(python3 -c "print(f'{$ROWS / $SECONDS_TAKEN:,.0f}')")
GROWTH=$(( (RSS_MAX - RSS_BEFORE) / 1024 ))

mkdir -p bench/results
{
  echo "| measure | value |"
  echo "|---|---|"
  echo "| sessions (one day) | $SESSIONS, with one participant each |"
  echo "| rows exported (calls + participants) | $ROWS |"
  echo "| bytes written | $BYTES (gzip: $GZIP) |"
  echo "| run duration | ${SECONDS_TAKEN} s |"
  echo "| rows/s | $RATE |"
  echo "| service RSS before | $((RSS_BEFORE / 1024)) MB |"
  echo "| service RSS growth during the run (max sampled every 0.2 s) | $GROWTH MB |"
} | tee bench/results/exports-latest.md
