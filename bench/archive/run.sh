#!/usr/bin/env bash
# The recording archive on one machine, 127.0.0.1 only: files/s and MB/s archived into the file store and into s3rver
# (an S3 protocol server from npm), the service's RSS while it fetches one 200 MB file, and CDR pushes/s with the
# archive worker idle against busy, in one run. Prints a table and writes it to bench/results/archive-latest.md.
#
#   bash bench/archive/run.sh
#
# Environment: ARCHIVE_FILES (200 files per throughput phase), ARCHIVE_FILE_MB (1), ARCHIVE_BUSY_MB (8, the files
# that keep the worker busy while pushes are measured), ARCHIVE_BIG_MB (200), ARCHIVE_CONCURRENCY (4),
# BENCH_DURATION (10 s of pushes per phase), BENCH_CONNECTIONS (16), ARCHIVE_S3=0 skips s3rver.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

FILES=${ARCHIVE_FILES:-200}
FILE_MB=${ARCHIVE_FILE_MB:-1}
BUSY_MB=${ARCHIVE_BUSY_MB:-8}
BIG_MB=${ARCHIVE_BIG_MB:-200}
CONCURRENCY=${ARCHIVE_CONCURRENCY:-4}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing ($2)" >&2; exit 1; }; }
need dotnet "the .NET SDK"
need wrk "apt-get install -y wrk"
need psql "apt-get install -y postgresql-client"
PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[ -x "$PG_BIN/initdb" ] || { echo "bench: PostgreSQL server binaries are missing (apt-get install -y postgresql)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/callpush-archive-bench.XXXXXX)
PIDS=()
PG_STARTED=
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ -n "$PG_STARTED" ] && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- PostgreSQL with durable settings, as in bench/run.sh. ---
PGPORT=$(free_port)
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories='' -c max_connections=200 -c shared_buffers=256MB -c checkpoint_timeout=30min -c max_wal_size=8GB" \
  start >/dev/null
PG_STARTED=1
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres
sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"; }

log "building CallPush (Release)"
dotnet build -c Release -v q -nologo src/CallPush.Api >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
DLL=$ROOT/src/CallPush.Api/bin/Release/net10.0/CallPush.Api.dll

# --- The recording source: plain files over HTTP on loopback. ---
log "writing the recordings to serve"
mkdir -p "$WORK/files"
args=()
for i in $(seq -w 1 "$FILES"); do args+=("$WORK/files/fs-$i.mp3" $((FILE_MB * 1048576)) "$WORK/files/s3-$i.mp3" $((FILE_MB * 1048576))); done
for i in $(seq -w 1 "$((CONCURRENCY * 25))"); do args+=("$WORK/files/busy-$i.mp3" $((BUSY_MB * 1048576))); done
args+=("$WORK/files/big.mp3" $((BIG_MB * 1048576)))
python3 "$ROOT/bench/archive/mp3files.py" "${args[@]}"
SOURCE_PORT=$(free_port)
python3 -m http.server "$SOURCE_PORT" --bind 127.0.0.1 --directory "$WORK/files" >/dev/null 2>&1 &
PIDS+=($!)
SOURCE=http://127.0.0.1:$SOURCE_PORT

PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
AUTHORIZATION="Basic $(printf 'bench:%s' "$PASSWORD" | base64 -w0)"
SERVICE_PID=
start_callpush() { # database [env...]
  local database=$1; shift
  PORT=$(free_port)
  (cd "$(dirname "$DLL")" && exec env "$@" ASPNETCORE_ENVIRONMENT=Production \
    "ConnectionStrings__CallPush=Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$database" \
    CallPush__Auth__Mode=Basic CallPush__Auth__Basic__Username=bench "CallPush__Auth__Basic__Password=$PASSWORD" \
    CallPush__Recordings__AllowPrivateAddresses=true CallPush__Recordings__AllowedHosts=127.0.0.1 \
    CallPush__Recordings__Concurrency="$CONCURRENCY" CallPush__Recordings__PollInterval=00:00:00.2 \
    CallPush__Recordings__TempPath="$WORK/incoming" \
    dotnet "$DLL" --urls "http://127.0.0.1:$PORT") >"$WORK/callpush-$database.log" 2>&1 &
  SERVICE_PID=$!
  PIDS+=("$SERVICE_PID")
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$WORK/callpush-$database.log"; exit 1; }
    sleep 0.1
  done
  echo "bench: CallPush did not start" >&2; exit 1
}
stop_callpush() { kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; }
archived() { sql "$1" "SELECT count(*) FILTER (WHERE status = 'archived') || ' ' || count(*) FILTER (WHERE status = 'failed') FROM recording_files"; }
wait_archived() { # database count
  while true; do
    read -r done failed <<<"$(archived "$1")"
    [ "$failed" -gt 0 ] && { sql "$1" "SELECT id, last_error FROM recording_files WHERE status = 'failed' LIMIT 5" >&2; echo "bench: fetches failed" >&2; exit 1; }
    [ "$done" -ge "$2" ] && return 0
    sleep 0.05
  done
}
push_records() { python3 "$ROOT/bench/archive/push_records.py" "http://127.0.0.1:$PORT/push" "$AUTHORIZATION" "$SOURCE" "$@"; }
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.1f}')" "$@"; }
pushes_per_second() {
  BENCH_BODY="$ROOT/bench/cdr-2p.json" BENCH_AUTHORIZATION="$AUTHORIZATION" \
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$ROOT/bench/wrk/push.lua" "http://127.0.0.1:$PORT/push?action=cdr&version=1" \
    | awk '/^Requests\/sec:/ { print $2 }'
}
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$(pgrep -P "$SERVICE_PID" -f CallPush.Api.dll || echo "$SERVICE_PID")/status"; }

# --- File store. ---
sql postgres "CREATE DATABASE archive_fs"
start_callpush archive_fs CallPush__Recordings__Storage=FileSystem "CallPush__Recordings__Path=$WORK/store"
log "file store: warming up"
pushes_per_second >/dev/null
log "file store: pushes/s with the archive idle"
IDLE=$(pushes_per_second)
log "file store: archiving $FILES files of $FILE_MB MB"
start=$(now)

push_records fs $(cd "$WORK/files" && ls fs-*.mp3)
wait_archived archive_fs "$FILES"
end=$(now)
FS_FILES=$(rate "$FILES" "$start" "$end")
FS_MB=$(rate "$((FILES * FILE_MB))" "$start" "$end")
log "file store: pushes/s with the archive busy"
busy_files=$(cd "$WORK/files" && ls busy-*.mp3)
push_records busy $busy_files
BUSY=$(pushes_per_second)
read -r busy_done _ <<<"$(archived archive_fs)"
BUSY_LEFT=$((FILES + $(wc -w <<<"$busy_files") - busy_done))
wait_archived archive_fs "$((FILES + $(wc -w <<<"$busy_files")))"
log "file store: RSS while one $BIG_MB MB file is fetched"
sleep 2
RSS_BEFORE=$(rss_mb)
# Sampled every 20 ms by a loop of its own, so the database polls below do not space the samples out.
( peak=0; while :; do r=$(rss_mb 2>/dev/null || echo 0); [ "$r" -gt "$peak" ] && { peak=$r; echo "$peak" >"$WORK/rss-peak"; }; sleep 0.02; done ) &
SAMPLER=$!
PIDS+=("$SAMPLER")
push_records big big.mp3
total=$((FILES + $(wc -w <<<"$busy_files") + 1))
while read -r done _ <<<"$(archived archive_fs)" && [ "$done" -lt "$total" ]; do sleep 0.05; done
kill "$SAMPLER" 2>/dev/null || true
RSS_PEAK=$(cat "$WORK/rss-peak")
stop_callpush
cmp -s "$WORK/files/big.mp3" "$(find "$WORK/store" -name '*.mp3' -size +$((BIG_MB - 1))M | head -1)" && BIG_OK=yes || BIG_OK=no

# --- s3rver. ---
S3_FILES=- S3_MB=-
if [ "${ARCHIVE_S3:-1}" != 0 ] && command -v npm >/dev/null 2>&1; then
  log "s3rver: installing"
  if npm install --prefix "$WORK/s3tools" --no-audit --no-fund s3rver@3.7.1 >"$WORK/npm.log" 2>&1; then
    S3_PORT=$(free_port)
    node "$WORK/s3tools/node_modules/s3rver/bin/s3rver.js" -d "$WORK/s3data" -a 127.0.0.1 -p "$S3_PORT" --silent \
      --configure-bucket recordings >/dev/null 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$S3_PORT/recordings" >/dev/null 2>&1 && break; sleep 0.1; done
    sql postgres "CREATE DATABASE archive_s3"
    start_callpush archive_s3 CallPush__Recordings__Storage=S3 CallPush__Recordings__S3__Bucket=recordings \
      CallPush__Recordings__S3__ServiceUrl="http://127.0.0.1:$S3_PORT" CallPush__Recordings__S3__ForcePathStyle=true \
      CallPush__Recordings__S3__Region=us-east-1 CallPush__Recordings__S3__AccessKey=S3RVER CallPush__Recordings__S3__SecretKey=S3RVER
    log "s3rver: archiving $FILES files of $FILE_MB MB"
    start=$(now)
    push_records s3 $(cd "$WORK/files" && ls s3-*.mp3)
    wait_archived archive_s3 "$FILES"
    end=$(now)
    S3_FILES=$(rate "$FILES" "$start" "$end")
    S3_MB=$(rate "$((FILES * FILE_MB))" "$start" "$end")
    stop_callpush
  else
    log "s3rver could not be installed (see npm's output below); skipping it"; cat "$WORK/npm.log" >&2
  fi
fi

HEADER="Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)'); $FILES files of $FILE_MB MB per store, archive concurrency $CONCURRENCY, $CONNECTIONS connections for ${DURATION}s of CDR pushes."
TABLE=$(cat <<TABLE
| measure | value |
| --- | ---: |
| file store: files/s | $FS_FILES |
| file store: MB/s | $FS_MB |
| s3rver: files/s | $S3_FILES |
| s3rver: MB/s | $S3_MB |
| CDR pushes/s, archive idle | $IDLE |
| CDR pushes/s, archive busy ($BUSY_MB MB files; $BUSY_LEFT of them still queued when the pushes ended) | $BUSY |
| RSS before the $BIG_MB MB fetch (MB) | $RSS_BEFORE |
| peak RSS during it (MB) | $RSS_PEAK |
| RSS growth (MB; target about 30) | $((RSS_PEAK - RSS_BEFORE)) |
| archived $BIG_MB MB file equal to the source | $BIG_OK |
TABLE
)
mkdir -p "$ROOT/bench/results"
printf '%s\n\n%s\n' "$HEADER" "$TABLE" | tee "$ROOT/bench/results/archive-latest.md"
