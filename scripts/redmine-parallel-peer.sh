#!/usr/bin/env bash
# A second Redmine peer that serves requests in parallel, for the scale-out bench
# (bench/scaleout.bench.ts): Debian's redmine on PostgreSQL (redmine-pgsql), under puma in
# cluster mode (several worker processes, several threads each, no Rack::Lock). It leaves the
# serial SQLite peer (scripts/redmine-peer.sh, 127.0.0.1:3300) alone: its own Redmine instance
# (REDMINE_INSTANCE), database, port, pid file and env file, and a Gemfile of its own, so the
# shared Gemfile.lock the SQLite peer boots from is not touched. See docs/scale-out.md.
#
#   bash scripts/redmine-parallel-peer.sh          # start (idempotent; root unless already up)
#   bash scripts/redmine-parallel-peer.sh --stop   # stop the puma this script started
#
# Knobs (env): REDMINE_PARALLEL_PORT (3301), REDMINE_PARALLEL_WORKERS (4 puma processes),
# REDMINE_PARALLEL_THREADS (4 per process), REDMINE_PARALLEL_DB (redmine_bench),
# REDMINE_PARALLEL_PG (postgres://127.0.0.1:5432, trust auth), REDMINE_PARALLEL_INSTANCE
# (pmbench), REDMINE_PARALLEL_STATE_DIR (/tmp/redmine-parallel-peer), REDMINE_PARALLEL_ENV_FILE
# (/tmp/redmine-parallel.env: REDMINE_URL and REDMINE_API_KEY).
set -euo pipefail

PORT="${REDMINE_PARALLEL_PORT:-3301}"
WORKERS="${REDMINE_PARALLEL_WORKERS:-4}"
THREADS="${REDMINE_PARALLEL_THREADS:-4}"
DBNAME="${REDMINE_PARALLEL_DB:-redmine_bench}"
PG="${REDMINE_PARALLEL_PG:-postgres://127.0.0.1:5432}"
INSTANCE="${REDMINE_PARALLEL_INSTANCE:-pmbench}"
STATE_DIR="${REDMINE_PARALLEL_STATE_DIR:-/tmp/redmine-parallel-peer}"
ENV_FILE="${REDMINE_PARALLEL_ENV_FILE:-/tmp/redmine-parallel.env}"
HOST=127.0.0.1
URL="http://${HOST}:${PORT}"
APP=/usr/share/redmine
PIDFILE="$STATE_DIR/puma.pid"
LOG="$STATE_DIR/server.log"
GEMFILE="$STATE_DIR/Gemfile"
# Each puma thread holds a connection; a few spare for the runner and migrations.
DATABASE_URL="postgresql://${DBNAME}@${PG#postgres://}/${DBNAME}?pool=$((THREADS + 1))"

log() { printf '[redmine-parallel-peer] %s\n' "$*" >&2; }
[[ "$PORT" =~ ^[0-9]+$ && "$WORKERS" =~ ^[0-9]+$ && "$THREADS" =~ ^[0-9]+$ ]] \
  || { log "REDMINE_PARALLEL_PORT, _WORKERS and _THREADS must be numbers"; exit 1; }
[[ "$DBNAME" =~ ^[a-z_][a-z0-9_]*$ && "$INSTANCE" =~ ^[a-z][a-z0-9_-]*$ ]] \
  || { log "REDMINE_PARALLEL_DB and REDMINE_PARALLEL_INSTANCE must be plain lower-case names"; exit 1; }
[ "$INSTANCE" != default ] || { log "REDMINE_PARALLEL_INSTANCE must not be 'default' (the SQLite peer's)"; exit 1; }

server_pid() { # the pid of the puma master we started, if it is alive
  [ -f "$PIDFILE" ] || return 1
  local pid; pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "puma.*${HOST}:${PORT}" || return 1
  echo "$pid"
}

if [ "${1:-}" = --stop ]; then
  pid="$(server_pid)" || { log "not running"; rm -f "$PIDFILE"; exit 0; }
  kill -TERM "$pid" # the master stops its workers
  for _ in $(seq 1 150); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
  if [ -e "/proc/$pid" ]; then log "pid $pid ignored SIGTERM; sending SIGKILL"; kill -KILL "$pid" 2> /dev/null || true; fi
  rm -f "$PIDFILE"
  log "stopped pid $pid"
  exit 0
fi

ready() { # up, the key accepted, and the two "pm id" custom fields (issues, time entries)
  [ -f "$ENV_FILE" ] || return 1
  local key; key="$(sed -n 's/^REDMINE_API_KEY=//p' "$ENV_FILE")"
  [ "$(sed -n 's/^REDMINE_URL=//p' "$ENV_FILE")" = "$URL" ] || return 1
  [ "$(curl -s -H "X-Redmine-API-Key: $key" "$URL/custom_fields.json" 2> /dev/null | grep -o '"name":"pm id"' | wc -l)" = 2 ]
}
if ready; then
  log "up at $URL, with the pm id custom fields (REDMINE_URL, REDMINE_API_KEY in $ENV_FILE)"
  exit 0
fi
[ "$(id -u)" = 0 ] || { log "not up; starting it needs root: sudo bash scripts/redmine-parallel-peer.sh"; exit 1; }

mkdir -p "$STATE_DIR/home"
chown www-data:www-data "$STATE_DIR" "$STATE_DIR/home"

# ---- 1. Debian packages: redmine, its PostgreSQL driver (ruby-pg via redmine-pgsql), puma ----
missing=()
for p in redmine redmine-pgsql puma postgresql-client curl; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} ..."
  apt-cache show redmine > /dev/null 2>&1 || apt-get update -q > "$STATE_DIR/apt-update.log" 2>&1
  # redmine's own instance is the SQLite peer's; preseed it as start.sh does if redmine is new.
  debconf-set-selections << 'EOF'
redmine redmine/current-instances string default
redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
redmine redmine/instances/default/default-language select en
redmine redmine/instances/default/db/dbname string redmine_default
redmine redmine/instances/default/db/basepath string /var/lib/dbconfig-common/sqlite3/redmine/instances/default
EOF
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" > "$STATE_DIR/install.log" 2>&1 \
    || { log "apt-get install failed; see $STATE_DIR/install.log"; tail -20 "$STATE_DIR/install.log" >&2; exit 1; }
fi

# ---- 2. the database: a role and a database of their own ----------------------------------
psql_admin() { psql "${PG}/postgres" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DBNAME'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $DBNAME LOGIN"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'")" != 1 ]; then
  log "creating database $DBNAME"
  psql_admin -c "CREATE DATABASE $DBNAME OWNER $DBNAME ENCODING 'UTF8' TEMPLATE template0"
fi

# ---- 3. the Redmine instance: files, logs, cache, secret; no database.yml -------------------
# Debian's Gemfile adds the DB gem of every instances/*/config/database.yml to the one shared
# Gemfile.lock; this instance is configured by DATABASE_URL instead, and pg comes from a
# Gemfile of its own (with its own lock) in the state dir.
idir="/var/lib/redmine/$INSTANCE"
for d in "$idir" "$idir/config" "$idir/files" "$idir/log" "$idir/tmp" "$idir/tmp/cache" "$idir/public" "$idir/public/plugin_assets"; do
  install -d -m 0755 -o www-data -g www-data "$d"
done
[ -s "$idir/config/secret_key.txt" ] || {
  ruby -rsecurerandom -e 'puts SecureRandom.hex(32)' > "$idir/config/secret_key.txt"
  chown root:www-data "$idir/config/secret_key.txt"; chmod 0640 "$idir/config/secret_key.txt"
}
cat > "$GEMFILE" << 'EOF'
# generated by redmine-parallel-peer.sh: Debian's Redmine Gemfile plus the PostgreSQL driver
eval_gemfile '/usr/share/redmine/Gemfile'
gem 'pg', '~> 1.2' unless dependencies.any? { |d| d.name == 'pg' }
EOF
chown www-data:www-data "$GEMFILE"

as_www() { # a command as www-data in the Redmine app dir, as this instance
  (cd "$APP" && setpriv --reuid=www-data --regid=www-data --init-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$STATE_DIR/home" LANG=C.UTF-8 \
    RAILS_ENV=production REDMINE_INSTANCE="$INSTANCE" BUNDLE_GEMFILE="$GEMFILE" DATABASE_URL="$DATABASE_URL" "$@")
}
if [ ! -s "$GEMFILE.lock" ]; then
  as_www bundle lock --local > "$STATE_DIR/bundle.log" 2>&1 \
    || { log "bundle lock --local failed; see $STATE_DIR/bundle.log"; tail -20 "$STATE_DIR/bundle.log" >&2; exit 1; }
fi

# ---- 4. start (or reuse) puma in cluster mode ---------------------------------------------
if pid="$(server_pid)"; then
  log "server already running (pid $pid)"
else
  if (exec 3<> "/dev/tcp/$HOST/$PORT") 2> /dev/null; then
    log "port $PORT on $HOST is in use by another process; set REDMINE_PARALLEL_PORT"; exit 1
  fi
  rm -f "$PIDFILE"
  log "migrating $DBNAME (a no-op once done)"
  as_www env SCHEMA=/dev/null ruby bin/rake db:migrate redmine:plugins:migrate > "$STATE_DIR/migrate.log" 2>&1 \
    || { log "migration failed; see $STATE_DIR/migrate.log"; tail -20 "$STATE_DIR/migrate.log" >&2; exit 1; }
  if [ "$(psql "${PG}/${DBNAME}" -U "$DBNAME" -Atqc 'SELECT COUNT(*) FROM trackers')" = 0 ]; then
    log "loading default data (trackers, statuses, priorities)"
    as_www env REDMINE_LANG=en ruby bin/rake redmine:load_default_data > "$STATE_DIR/default_data.log" 2>&1 \
      || { log "load_default_data failed; see $STATE_DIR/default_data.log"; exit 1; }
  fi
  # The settings of the SQLite peer (start.sh), and the custom fields pm keeps its ids in.
  as_www ruby bin/rails runner '
    Setting.rest_api_enabled = "1"
    Setting.notified_events = []
    admin = User.find_by!(login: "admin")
    admin.update_columns(must_change_passwd: false) if admin.must_change_passwd?
    admin.api_key
    IssueCustomField.find_or_create_by!(name: "pm id") do |f|
      f.field_format = "string"; f.is_for_all = true; f.is_filter = true; f.searchable = false; f.trackers = Tracker.all
    end
    TimeEntryCustomField.find_or_create_by!(name: "pm id") { |f| f.field_format = "string"; f.is_filter = true }
  ' > "$STATE_DIR/runner.log" 2>&1 || { log "configuring Redmine failed; see $STATE_DIR/runner.log"; tail -20 "$STATE_DIR/runner.log" >&2; exit 1; }

  log "starting puma on $URL ($WORKERS workers × threads 1:$THREADS, parallel), log: $LOG"
  : > "$LOG"; chown www-data:www-data "$LOG"
  (cd "$APP" && exec setsid setpriv --reuid=www-data --regid=www-data --init-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$STATE_DIR/home" LANG=C.UTF-8 \
    RAILS_ENV=production REDMINE_INSTANCE="$INSTANCE" BUNDLE_GEMFILE="$GEMFILE" DATABASE_URL="$DATABASE_URL" \
    puma --environment production --bind "tcp://${HOST}:${PORT}" --workers "$WORKERS" --threads "1:${THREADS}" \
    --pidfile "$PIDFILE" --tag redmine-parallel-peer "$APP/config.ru" \
    >> "$LOG" 2>&1 < /dev/null) &
fi

KEY="$(psql "${PG}/${DBNAME}" -U "$DBNAME" -Atqc \
  "SELECT t.value FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.login = 'admin' AND t.action = 'api' ORDER BY t.id DESC LIMIT 1")"
[[ "$KEY" =~ ^[0-9a-f]{40}$ ]] || { log "could not read the admin API key from $DBNAME"; exit 1; }
up=0
for _ in $(seq 1 1200); do # up to 120 s: each worker boots Rails of its own
  if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Redmine-API-Key: $KEY" "$URL/users/current.json" 2> /dev/null)" = 200 ]; then
    up=1; break
  fi
  if [ -f "$PIDFILE" ] && ! server_pid > /dev/null; then break; fi
  grep -qE 'Address already in use|Exiting|ERROR' "$LOG" 2> /dev/null && break
  sleep 0.1
done
[ "$up" = 1 ] || { log "server did not become ready; last log lines:"; tail -20 "$LOG" >&2; exit 1; }
# Wait for every worker, so the first figures are not taken while some still boot.
for _ in $(seq 1 1200); do
  [ "$(grep -c 'Worker [0-9]* (PID: [0-9]*) booted' "$LOG" 2> /dev/null)" -ge "$WORKERS" ] && break
  sleep 0.1
done
umask 077
printf 'REDMINE_URL=%s\nREDMINE_API_KEY=%s\n' "$URL" "$KEY" > "$ENV_FILE"
ready || { log "Redmine is up but the pm id custom fields are not visible"; exit 1; }
log "ready: $URL (pid $(cat "$PIDFILE")); REDMINE_URL and REDMINE_API_KEY in $ENV_FILE"
