#!/usr/bin/env bash
# One command: the PostgreSQL ceiling (pgbench), a minimal ASP.NET Core + Npgsql baseline, and CallPush itself, all
# writing the same ~2 KB two-participant CDR push, loaded at 1, 16, 64 and 256 connections on this machine, 127.0.0.1
# only. Prints pushes/s, p50/p99 latency, peak RSS, CPU and allocated bytes per push, the share of pushes not answered
# 2xx (CallPush answers 503 above its queue limit), and CallPush's own p99 of stored pushes; writes the table to bench/results/latest.md and docs/benchmarks.md.
#
#   bash bench/run.sh
#
# Environment: BENCH_DURATION (seconds per run, 10), BENCH_WARMUP (seconds of load before each service is measured,
# 15: until the JIT has tiered the hot path up; pgbench gets at most 5),
# BENCH_CONNECTIONS ("1 16 64 256"), BENCH_TARGETS ("pgbench baseline callpush"), BENCH_KEEP=1 keeps the work folder,
# BENCH_NO_DOCS=1 leaves docs/benchmarks.md alone, BENCH_CALLPUSH_ENV="KEY=value ..." adds settings to CallPush's
# environment (for experiments, e.g. DOTNET_gcServer=0), BENCH_CALLPUSH_DLL runs another build of it (e.g. a
# ReadyToRun publish), BENCH_CONNECTION_OPTIONS="Maximum Pool Size=16" adds Npgsql settings to both services' connection.
# BENCH_COMPARE_REF=<git ref> also builds that commit (Release, in a temporary git worktree under the work folder) and
# measures it as the target callpush@<short commit id>, exactly like callpush and taking turns with it, and adds the
# ratios callpush / callpush@<ref> of pushes/s and CPU per push; a callpush@<ref> in BENCH_TARGETS names the ref too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-"1 16 64 256"}
TARGETS=${BENCH_TARGETS:-"pgbench baseline callpush"}
BODY=$ROOT/bench/cdr-2p.json

# The older build to compare with, from BENCH_COMPARE_REF or from a callpush@<ref> in BENCH_TARGETS.
COMPARE_REF=${BENCH_COMPARE_REF:-}
if [ -z "$COMPARE_REF" ]; then
  for target in $TARGETS; do case $target in callpush@?*) COMPARE_REF=${target#callpush@} ;; esac; done
fi
COMPARE_COMMIT= COMPARE_TARGET=
if [ -n "$COMPARE_REF" ]; then
  COMPARE_COMMIT=$(git rev-parse --verify --quiet "$COMPARE_REF^{commit}") || { echo "bench: $COMPARE_REF is not a commit" >&2; exit 1; }
  COMPARE_TARGET=callpush@$(git rev-parse --short "$COMPARE_COMMIT")
  if [ -z "${BENCH_TARGETS:-}" ]; then
    TARGETS="$TARGETS $COMPARE_TARGET"
  else
    named=
    for target in $TARGETS; do
      case $target in
        callpush@?*)
          [ "$(git rev-parse --verify --quiet "${target#callpush@}^{commit}")" = "$COMPARE_COMMIT" ] \
            || { echo "bench: $target is not $COMPARE_REF: one older build per run" >&2; exit 1; }
          target=$COMPARE_TARGET ;;
      esac
      named="$named $target"
    done
    TARGETS=${named# }
  fi
  [[ " $TARGETS " == *" $COMPARE_TARGET "* ]] || COMPARE_TARGET=
fi

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing ($2)" >&2; exit 1; }; }
need dotnet "the .NET SDK"
need wrk "apt-get install -y wrk"
need pgbench "apt-get install -y postgresql-client"
need psql "apt-get install -y postgresql-client"
PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[ -x "$PG_BIN/initdb" ] || { echo "bench: PostgreSQL server binaries are missing (apt-get install -y postgresql)" >&2; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/callpush-bench.XXXXXX)
PGDATA_DIR=$WORK/pg
declare -A SERVICE_PID=() SERVICE_PORT=()
PG_STARTED=
COMPARE_TREE=

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  local status=$?
  for name in "${!SERVICE_PID[@]}"; do stop_service "$name"; done
  if [ -n "$PG_STARTED" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$COMPARE_TREE" ]; then
    git -C "$ROOT" worktree remove --force "$COMPARE_TREE" >/dev/null 2>&1 || true
    git -C "$ROOT" worktree prune >/dev/null 2>&1 || true
  fi
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "bench: work folder kept: $WORK"; else rm -rf "$WORK"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- PostgreSQL: a private cluster with durable settings (fsync, synchronous_commit and full_page_writes on). ---
PGPORT=$(free_port)
mkdir -p "$PGDATA_DIR"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
as_postgres "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
# max_connections leaves room for pgbench's 256 clients next to the idle services' pools.
# Checkpoints are spaced out so that a short run measures the pushes, not when a checkpoint happens to land.
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories='' -c max_connections=1000 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on \
  -c full_page_writes=on -c checkpoint_timeout=30min -c max_wal_size=8GB" start >/dev/null
PG_STARTED=1
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres
sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"; }
connection_string() { echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$1${BENCH_CONNECTION_OPTIONS:+;$BENCH_CONNECTION_OPTIONS}"; }
database_of() { echo "bench_${1//[^A-Za-z0-9_]/_}"; } # callpush@1a2b3c4 -> bench_callpush_1a2b3c4

# --- dotnet-counters reads allocated bytes (System.Runtime) and CallPush's own push durations (CallPush meter). ---
COUNTERS_TOOL=
if dotnet tool install dotnet-counters --version 10.0.750501 --tool-path "$WORK/tools" >"$WORK/tools.log" 2>&1; then
  COUNTERS_TOOL=$WORK/tools/dotnet-counters
else
  log "warning: dotnet-counters could not be installed (see $WORK/tools.log): no allocations per push"
fi

# --- Builds (Release). ---
log "building CallPush and the baseline (Release)"
dotnet build -c Release -v q -nologo src/CallPush.Api >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
dotnet build -c Release -v q -nologo bench/Baseline >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
CALLPUSH_DLL=${BENCH_CALLPUSH_DLL:-$ROOT/src/CallPush.Api/bin/Release/net10.0/CallPush.Api.dll}
BASELINE_DLL=$ROOT/bench/Baseline/bin/Release/net10.0/Baseline.dll
declare -A DLL_OF=([callpush]=$CALLPUSH_DLL) TEMPLATE_OF=()
if [ -n "$COMPARE_TARGET" ]; then
  COMPARE_TREE=$WORK/compare-src
  log "building $COMPARE_TARGET (Release) in a temporary worktree"
  git worktree add --detach "$COMPARE_TREE" "$COMPARE_COMMIT" >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
  dotnet build -c Release -v q -nologo "$COMPARE_TREE/src/CallPush.Api" >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
  DLL_OF[$COMPARE_TARGET]=$COMPARE_TREE/src/CallPush.Api/bin/Release/net10.0/CallPush.Api.dll
fi

# CallPush is measured with the authentication its tree ships with: Basic when it has it, otherwise none.
declare -A AUTH_MODE_OF=() AUTH_ENV_OF=() AUTH_HEADER_OF=()
detect_auth() { # target source-tree
  AUTH_MODE_OF[$1]=None AUTH_ENV_OF[$1]= AUTH_HEADER_OF[$1]=
  if grep -rqs '"CallPush:Auth"' "$2/src/CallPush.Api"; then
    local password; password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    AUTH_MODE_OF[$1]=Basic
    AUTH_ENV_OF[$1]="CallPush__Auth__Mode=Basic CallPush__Auth__Basic__Username=bench CallPush__Auth__Basic__Password=$password"
    AUTH_HEADER_OF[$1]="Basic $(printf 'bench:%s' "$password" | base64 -w0)"
  fi
}
detect_auth callpush "$ROOT"
# The baseline checks no credentials, but it is sent the same header so that it reads the same request.
AUTH_HEADER_OF[baseline]=${AUTH_HEADER_OF[callpush]}
if [ -n "$COMPARE_TARGET" ]; then
  detect_auth "$COMPARE_TARGET" "$COMPARE_TREE"
  [ "${AUTH_MODE_OF[$COMPARE_TARGET]}" = "${AUTH_MODE_OF[callpush]}" ] \
    || log "warning: $COMPARE_TARGET runs with authentication ${AUTH_MODE_OF[$COMPARE_TARGET]}, callpush with ${AUTH_MODE_OF[callpush]}"
fi

start_service() { # name dll database [env...]
  local name=$1 dll=$2 database=$3; shift 3
  local port; port=$(free_port)
  SERVICE_PORT[$name]=$port
  # From its own folder: the content root (where appsettings.json is read) is the working directory.
  (cd "$(dirname "$dll")" && exec env "$@" ASPNETCORE_ENVIRONMENT=Production "ConnectionStrings__CallPush=$(connection_string "$database")" \
    dotnet "$dll" --urls "http://127.0.0.1:$port") >"$WORK/$name.log" 2>&1 &
  SERVICE_PID[$name]=$!
  for _ in $(seq 1 300); do
    if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 \
       || { [ "$name" = baseline ] && curl -s -o /dev/null "http://127.0.0.1:$port/"; }; then
      return 0
    fi
    kill -0 "${SERVICE_PID[$name]}" 2>/dev/null || { cat "$WORK/$name.log"; echo "bench: $name exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench: $name did not start" >&2; exit 1
}

stop_service() { # name
  local pid=${SERVICE_PID[$1]:-}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  unset "SERVICE_PID[$1]"
}

# --- Schema: CallPush migrates a template database once; every target gets a fresh copy of it. An older build gets
# a template of its own, migrated by itself, so that a schema change between the two commits cannot break it. ---
log "creating the schema"
sql postgres "CREATE DATABASE bench_template"
start_service schema "$CALLPUSH_DLL" bench_template
stop_service schema
if [ -n "$COMPARE_TARGET" ]; then
  TEMPLATE_OF[$COMPARE_TARGET]=$(database_of "template_$COMPARE_TARGET")
  sql postgres "CREATE DATABASE ${TEMPLATE_OF[$COMPARE_TARGET]}"
  start_service schema "${DLL_OF[$COMPARE_TARGET]}" "${TEMPLATE_OF[$COMPARE_TARGET]}"
  stop_service schema
fi
for target in $TARGETS; do
  sql postgres "CREATE DATABASE $(database_of "$target") TEMPLATE ${TEMPLATE_OF[$target]:-bench_template}"
done

# --- pgbench's variables: the values of bench/cdr-2p.json, as CallPush binds them. ---
ts() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S+00'; }
PGBENCH_VARS=(
  -D sdk=1400123456 -D "body=$(cat "$BODY")" -D "body_bytes=$(wc -c <"$BODY")"
  -D 'headers={"X-TCCC-PUSH-UUID":"pgbench","Content-Type":"application/json; charset=utf8","Content-Length":"2390"}'
  -D 'a_key={agent003@example.com,agent007@example.com}' -D 'a_user={NULL,agent007@example.com}'
  -D 'a_mail={agent003@example.com,agent007@example.com}' -D 'a_name={NULL,"Agent 8007"}' -D 'a_nick={NULL,agent8007}'
  -D 'a_phone={NULL,NULL}' -D 'a_staff={NULL,8007}'
  -D 'g_id={2736,2737}' -D 'g_name={"Customer Support",Billing}'
  -D caller=008613812345678 -D callee=00864001006666 -D direction=0 -D duration=245 -D ivr_duration=18
  -D 'caller_location=Guangdong Shenzhen' -D seat_key=agent007@example.com -D 'seat_groups={"Customer Support"}'
  -D "started_at=$(ts 1763699970)" -D "queued_at=$(ts 1763699988)" -D "ring_at=$(ts 1763700000)"
  -D "accepted_at=$(ts 1763700006)" -D "ended_at=$(ts 1763700251)"
  -D hung_up_side=user -D end_status=ok -D queued_group_id=2736 -D 'queued_group_name=Customer Support'
  -D record_id=5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b10 -D 'user_remark=*****5678' -D uui=crm-482913
  -D tel_number=008613812345678 -D tel_country=China -D tel_province=Guangdong -D tel_city=Shenzhen -D tel_operator=Mobile
  -D 'p_seq={0,1}' -D 'p_key={agent003@example.com,agent007@example.com}' -D 'p_mail={agent003@example.com,agent007@example.com}'
  -D 'p_phone={NULL,NULL}' -D 'p_type={staffSeat,staffSeat}'
  -D "p_start={\"$(ts 1763700000)\",\"$(ts 1763700120)\"}" -D "p_ring={\"$(ts 1763700000)\",\"$(ts 1763700120)\"}"
  -D "p_accept={\"$(ts 1763700006)\",\"$(ts 1763700124)\"}" -D "p_end={\"$(ts 1763700120)\",\"$(ts 1763700251)\"}"
  -D 'p_record={7f0c2a8e-1d2b-4c55-9a51-0d6c1e2f3a40,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c61}'
  -D 'p_from={NULL,agent003@example.com}' -D 'p_from_type={NULL,staffSeat}'
  -D 'p_to={agent007@example.com,NULL}' -D 'p_to_type={staffSeat,NULL}'
  -D 'p_group={2736,2737}' -D 'p_group_name={"Customer Support",Billing}' -D 'p_priority={0,1}' -D 'p_status={ok,ok}'
  -D 'k_stage={ivr,ivr}' -D 'k_position={0,1}' -D 'k_key={2,1}' -D 'k_label={Support,Mandarin}' -D 'k_at={NULL,NULL}'
)

threads_for() { if [ "$1" -lt 2 ]; then echo 1; else echo 2; fi; }
percentile() { # file(sorted numbers) p -> value
  awk -v p="$2" '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit } i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] }' "$1"
}

RESULTS=$WORK/results.tsv
: >"$RESULTS"
# target conns pushes/s p50ms p99ms rssMB failures cpu-us/push alloc-KB/push failed% stored-p99ms
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

run_pgbench() { # conns seconds record?
  local c=$1 seconds=$2 prefix=$WORK/pgbench-$1-$RANDOM
  mkdir -p "$prefix.logs"
  [ "$(id -u)" = 0 ] && chown postgres: "$prefix.logs"
  pgbench -n -M prepared -c "$c" -j "$(threads_for "$c")" -T "$seconds" -f bench/pgbench/cdr-push.sql "${PGBENCH_VARS[@]}" \
    -l --log-prefix="$prefix.logs/tx" "$(database_of pgbench)" >"$prefix.out" 2>&1 || { cat "$prefix.out"; exit 1; }
  [ "$3" = record ] || return 0
  local tps failed
  tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$prefix.out" | head -1)
  failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$prefix.out")
  cat "$prefix.logs"/tx.* | awk '{ print $3 / 1000 }' | sort -n >"$prefix.lat"
  record pgbench "$c" "$(awk -v v="$tps" 'BEGIN { printf "%.1f", v }')" "$(percentile "$prefix.lat" 50)" "$(percentile "$prefix.lat" 99)" "-" "${failed:-0}" "-" "-" "-" "-"
}

run_wrk() { # target conns seconds record?
  local target=$1 c=$2 seconds=$3 out pid=${SERVICE_PID[$1]}
  [ -r "/proc/$pid/clear_refs" ] && echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true
  local cpu_before; cpu_before=$(cpu_ticks "$pid")
  # Counters start a second before the load and stop after it: the bytes allocated while idle are next to none.
  local counters=$WORK/counters-$target-$c-$RANDOM.csv counters_pid=
  if [ "$4" = record ] && [ -n "$COUNTERS_TOOL" ]; then
    "$COUNTERS_TOOL" collect -p "$pid" --refresh-interval 1 --format csv -o "$counters" \
      --counters 'System.Runtime[dotnet.gc.heap.total_allocated],CallPush[callpush.push.duration]' \
      --duration "$(printf '00:%02d:%02d:%02d' $(( (seconds + 3) / 3600 )) $(( (seconds + 3) % 3600 / 60 )) $(( (seconds + 3) % 60 )))" \
      >"$counters.log" 2>&1 &
    counters_pid=$!
    sleep 1
  fi
  out=$(BENCH_BODY=$BODY BENCH_AUTHORIZATION=${AUTH_HEADER_OF[$target]:-} wrk -t"$(threads_for "$c")" -c"$c" -d"${seconds}s" --timeout 10s \
    -s bench/wrk/push.lua "http://127.0.0.1:${SERVICE_PORT[$target]}/push")
  [ "$4" = record ] || return 0
  [ -z "$counters_pid" ] || wait "$counters_pid" || true
  local line requests duration p50 p99 non2xx errors rss
  line=$(grep '^RESULT' <<<"$out")
  requests=$(sed -nE 's/.*requests=([0-9]+).*/\1/p' <<<"$line"); duration=$(sed -nE 's/.*duration_us=([0-9]+).*/\1/p' <<<"$line")
  p50=$(sed -nE 's/.*p50_us=([0-9]+).*/\1/p' <<<"$line"); p99=$(sed -nE 's/.*p99_us=([0-9]+).*/\1/p' <<<"$line")
  non2xx=$(sed -nE 's/.*non2xx=([0-9]+).*/\1/p' <<<"$line"); errors=$(sed -nE 's/.*errors=([0-9]+).*/\1/p' <<<"$line")
  rss=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  local cpu; cpu=$(awk -v a="$cpu_before" -v b="$(cpu_ticks "$pid")" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf("%.0f", (n > 0) ? (b - a) / hz * 1e6 / n : 0) }')
  local alloc=- stored_p99=-
  if [ -s "$counters" ]; then
    # Rate rows hold the bytes allocated in each 1 s interval; the sum is what the load made the service allocate.
    alloc=$(awk -F, -v n="$requests" '$0 ~ /total_allocated/ { s += $NF } END { if (n > 0 && s > 0) printf "%.1f", s / n / 1024; else print "-" }' "$counters")
    # CallPush's own histogram: the worst 1 s interval's p99 of pushes answered ErrCode 0 as newly stored.
    # (The tags inside the counter's name may hold commas: the value is the last field.)
    stored_p99=$(awk -F, '$0 ~ /callpush.push.duration/ && $0 ~ /outcome=stored/ && $0 ~ /Percentile=99/ { if ($NF > m) m = $NF; f = 1 }
      END { if (f) printf "%.2f", m * 1000; else print "-" }' "$counters")
  fi
  record "$target" "$c" "$(awk -v r="$requests" -v n="$non2xx" -v d="$duration" 'BEGIN { printf "%.1f", (r - n) / (d / 1e6) }')" \
    "$(awk -v v="$p50" 'BEGIN { printf "%.2f", v / 1000 }')" "$(awk -v v="$p99" 'BEGIN { printf "%.2f", v / 1000 }')" \
    "$rss" "$((non2xx + errors))" "$cpu" "$alloc" \
    "$(awk -v r="$requests" -v f="$((non2xx + errors))" 'BEGIN { printf "%.1f", (r > 0) ? 100 * f / r : 0 }')" "$stored_p99"
}

# User + system CPU time of the service so far, in clock ticks: CPU per push is what a busy machine blurs least.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for target in $TARGETS; do
  case $target in
    pgbench) ;;
    baseline) start_service baseline "$BASELINE_DLL" "$(database_of baseline)" ;;
    # The settings are single words (KEY=value, no spaces): word splitting passes them to env one by one.
    callpush|"$COMPARE_TARGET") start_service "$target" "${DLL_OF[$target]}" "$(database_of "$target")" ${AUTH_ENV_OF[$target]} ${BENCH_CALLPUSH_ENV:-} ;;
    *) echo "bench: unknown target $target" >&2; exit 1 ;;
  esac
done
if [ "$WARMUP" -gt 0 ]; then
  for target in $TARGETS; do
    log "$target: warm-up"
    if [ "$target" = pgbench ]; then run_pgbench 16 "$(( WARMUP < 5 ? WARMUP : 5 ))" warmup
    else run_wrk "$target" 16 "$WARMUP" warmup; fi
  done
fi
# Targets take turns at each connection count (the idle services wait), so a change in the machine's other load
# falls on all of them rather than on whichever happened to run last. The order is reversed at every other count:
# on a shared VM the target measured first was seen to be the slower one (e.g. BENCH_CONNECTIONS="16 16" measures
# each target once first and once last).
turn=0
for c in $CONNECTIONS; do
  order=$TARGETS
  if [ $((turn % 2)) = 1 ]; then order=$(printf '%s\n' $TARGETS | tac | tr '\n' ' '); fi
  turn=$((turn + 1))
  for target in $order; do
    log "$target: ${DURATION}s at $c connections"
    sql postgres CHECKPOINT
    if [ "$target" = pgbench ]; then run_pgbench "$c" "$DURATION" record
    else run_wrk "$target" "$c" "$DURATION" record; fi
  done
done
for target in $TARGETS; do
  [ "$target" = pgbench ] || stop_service "$target"
  # The same rows must have been written whatever wrote them: 2 participants and 2 key presses per session.
  counts=$(sql "$(database_of "$target")" "SELECT (SELECT count(*) FROM push_log) || ' pushes, ' || (SELECT count(*) FROM call_sessions) || ' sessions, '
    || round((SELECT count(*) FROM serve_participants)::numeric / GREATEST(1, (SELECT count(*) FROM call_sessions)), 2) || ' participants and '
    || round((SELECT count(*) FROM ivr_key_presses)::numeric / GREATEST(1, (SELECT count(*) FROM call_sessions)), 2) || ' key presses per session'")
  log "$target stored: $counts"
  echo "$target	$counts" >>"$WORK/counts.tsv"
done

# --- Report. ---
value() { awk -F'\t' -v t="$1" -v c="$2" -v f="$3" '$1 == t && $2 == c { print $f }' "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
REPORT=$WORK/report.md
COMPARE_NOTE=
if [ -n "$COMPARE_TARGET" ]; then
  COMPARE_NOTE=" $COMPARE_TARGET is commit $COMPARE_COMMIT (\"$(git log -1 --format=%s "$COMPARE_COMMIT")\"), \
authentication ${AUTH_MODE_OF[$COMPARE_TARGET]}."
fi
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(lscpu | sed -nE 's/^Model name: +//p' | head -1)), \
$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, load average before the run: $LOAD_BEFORE; \
${DURATION}s per run after a ${WARMUP}s warm-up; commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)'); \
CallPush authentication: ${AUTH_MODE_OF[callpush]}.$COMPARE_NOTE"
  echo
  echo "| target | connections | pushes/s | p50 ms | p99 ms | stored p99 ms | peak RSS MB | service CPU µs/push | allocated KB/push | not 2xx | not 2xx % |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  while IFS=$'\t' read -r t c tps p50 p99 rss failed cpu alloc failed_pct stored_p99; do
    echo "| $t | $c | $tps | $p50 | $p99 | $stored_p99 | $rss | $cpu | $alloc | $failed | $failed_pct |"
  done <"$RESULTS"
  echo
  echo "| connections | CallPush / baseline | CallPush / pgbench |"
  echo "| ---: | ---: | ---: |"
  for c in $CONNECTIONS; do
    echo "| $c | $(ratio "$(value callpush "$c" 3)" "$(value baseline "$c" 3)") | $(ratio "$(value callpush "$c" 3)" "$(value pgbench "$c" 3)") |"
  done
  if [ -n "$COMPARE_TARGET" ]; then
    echo
    echo "| connections | pushes/s callpush / $COMPARE_TARGET | CPU µs/push callpush / $COMPARE_TARGET |"
    echo "| ---: | ---: | ---: |"
    for c in $CONNECTIONS; do
      echo "| $c | $(ratio "$(value callpush "$c" 3)" "$(value "$COMPARE_TARGET" "$c" 3)") | $(ratio "$(value callpush "$c" 8)" "$(value "$COMPARE_TARGET" "$c" 8)") |"
    done
  fi
  echo
  echo "Rows stored per target (a check that each wrote the same thing):"
  echo
  while IFS=$'\t' read -r t counts; do echo "- $t: $counts"; done <"$WORK/counts.tsv"
} >"$REPORT"

# Targets on a 2-core machine shared by load generator, service and database.
TARGET_CHECKS=$(
  check() { # label value verdict-expression(v)
    [ -n "$2" ] && [ "$2" != - ] && echo "- $1: $2 $(awk -v v="$2" "BEGIN { print (($3) ? \"(met)\" : \"(MISSED)\") }")"
  }
  check "CallPush / pgbench pushes/s at 64 connections >= 1.2" "$(ratio "$(value callpush 64 3)" "$(value pgbench 64 3)")" 'v >= 1.2'
  check "CallPush p99 at 64 connections <= 50 ms" "$(value callpush 64 5)" 'v <= 50'
  check "CallPush p50 / pgbench p50 at 1 connection <= 2" "$(ratio "$(value callpush 1 4)" "$(value pgbench 1 4)")" 'v <= 2'
  for c in $CONNECTIONS; do
    [ "$c" -ge 16 ] || continue
    check "CallPush / baseline CPU per push at $c connections <= 1" "$(ratio "$(value callpush "$c" 8)" "$(value baseline "$c" 8)")" 'v <= 1'
  done
  rss=$(awk -F'\t' '$1 == "callpush" && $6 > m { m = $6 } END { print m }' "$RESULTS")
  check "CallPush peak RSS <= 150 MB" "$rss" 'v <= 150'
  if [ -n "$COMPARE_TARGET" ]; then
    for c in $CONNECTIONS; do
      [ "$c" -ge 16 ] || continue
      r=$(ratio "$(value callpush "$c" 3)" "$(value "$COMPARE_TARGET" "$c" 3)")
      [ "$r" != - ] && echo "- pushes/s callpush / $COMPARE_TARGET at $c connections >= 0.9: $r $(awk -v r="$r" 'BEGIN { print ((r >= 0.9) ? "(met)" : "(MISSED)") }')"
      r=$(ratio "$(value callpush "$c" 8)" "$(value "$COMPARE_TARGET" "$c" 8)")
      [ "$r" != - ] && echo "- CPU per push callpush / $COMPARE_TARGET at $c connections <= 1.1: $r $(awk -v r="$r" 'BEGIN { print ((r <= 1.1) ? "(met)" : "(MISSED)") }')"
    done
  fi
  true
)
{ echo; echo "Targets:"; echo; echo "$TARGET_CHECKS"; } >>"$REPORT"

mkdir -p bench/results
cp "$REPORT" bench/results/latest.md
echo
cat "$REPORT"
if [ "${BENCH_NO_DOCS:-}" != 1 ] && grep -q '<!-- results:start -->' docs/benchmarks.md 2>/dev/null; then
  python3 - "$REPORT" docs/benchmarks.md <<'PY'
import sys
report, doc = open(sys.argv[1]).read(), open(sys.argv[2]).read()
start, end = doc.index('<!-- results:start -->'), doc.index('<!-- results:end -->')
open(sys.argv[2], 'w').write(doc[:start] + '<!-- results:start -->\n' + report + '<!-- results:end -->' + doc[end + len('<!-- results:end -->'):])
PY
  log "updated the results in docs/benchmarks.md"
fi
