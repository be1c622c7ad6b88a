#!/usr/bin/env bash
# Starts the Redmine the sync tests and benchmarks run against (Debian's package, see
# ../shared/peers/redmine/NOTES.md) and gives it the custom fields pm keeps its ids in
# ("pm id" on issues and on time entries). Idempotent: when Redmine is up with those fields it
# returns at once (no root needed); otherwise it needs root, like start.sh. REDMINE_URL and
# REDMINE_API_KEY end up in /tmp/redmine.env.
set -euo pipefail
cd "$(dirname "$0")/.."

env_file="${REDMINE_ENV_FILE:-/tmp/redmine.env}"
state="${REDMINE_STATE_DIR:-/tmp/redmine-peer}"
peer="${PM_REDMINE_PEER:-../shared/peers/redmine}"

ready() {
  # Up, the key accepted, and two "pm id" fields (issues, time entries). The key stays in a header.
  REDMINE_ENV_FILE="$env_file" node -e '
    const text = require("node:fs").readFileSync(process.env.REDMINE_ENV_FILE, "utf8");
    const value = (name) => new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1]?.trim();
    fetch(`${value("REDMINE_URL")}/custom_fields.json`, { headers: { "X-Redmine-API-Key": value("REDMINE_API_KEY") } })
      .then((r) => (r.ok ? r.json() : { custom_fields: [] }))
      .then((b) => process.exit(b.custom_fields.filter((f) => f.name === "pm id").length === 2 ? 0 : 1), () => process.exit(1));
  ' 2> /dev/null
}

if ready; then
  echo "redmine-peer: up, with the pm id custom fields"
  exit 0
fi
[ -f "$peer/start.sh" ] || { echo "redmine-peer: no $peer/start.sh (../shared must sit beside this repository)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "redmine-peer: Redmine is not up; starting it needs root: sudo bash scripts/redmine-peer.sh" >&2; exit 1; }
bash "$peer/start.sh" > /dev/null

(cd /usr/share/redmine && setpriv --reuid=www-data --regid=www-data --init-groups \
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$state/home" LANG=C.UTF-8 RAILS_ENV=production \
  ruby bin/rails runner '
    IssueCustomField.find_or_create_by!(name: "pm id") do |f|
      f.field_format = "string"; f.is_for_all = true; f.is_filter = true; f.searchable = false; f.trackers = Tracker.all
    end
    TimeEntryCustomField.find_or_create_by!(name: "pm id") { |f| f.field_format = "string"; f.is_filter = true }
  ')
ready || { echo "redmine-peer: Redmine started but the pm id custom fields are not visible" >&2; exit 1; }
echo "redmine-peer: started, with the pm id custom fields"
