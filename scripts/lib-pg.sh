# Helpers shared by the heavy deployment tests (sourced, not run).

# pg_bindir: prints the PostgreSQL server binary directory (the one holding initdb), first match of:
# initdb on PATH (links followed), `pg_config --bindir`, /usr/lib/postgresql/<highest version>/bin. Fails (status 1)
# naming what to install when there is none. Tests/TestSupport/PostgresInstall.swift looks the same way.
pg_bindir() {
  local d
  d=$(command -v initdb 2>/dev/null) && { dirname "$(readlink -f "$d")"; return; }
  d=$(pg_config --bindir 2>/dev/null) && [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do [[ -x "$d/initdb" ]] && { echo "$d"; return; }; done
  echo "FAIL: no PostgreSQL server found (initdb not on PATH, in pg_config --bindir or /usr/lib/postgresql/<version>/bin); install it: apt-get install postgresql (or scripts/deps --test)" >&2
  return 1
}

# pg_start DIR ADDR PORT PASSWORD [NETNS]: a throwaway PostgreSQL server (pg_bindir) in DIR listening on ADDR:PORT,
# user autolfads with PASSWORD (scram) and database autolfads. Runs inside NETNS when given.
pg_start() {
  local dir=$1 addr=$2 port=$3 pw=$4 ns=${5:-}
  local bin; bin=$(pg_bindir) || exit 1
  local exec=(); [[ -n "$ns" ]] && exec=(ip netns exec "$ns")
  mkdir -p "$dir"; chown postgres: "$dir"
  printf '%s\n' "$pw" > "$dir/pw"; chown postgres: "$dir/pw"; chmod 600 "$dir/pw"
  su postgres -s /bin/sh -c "$bin/initdb -D '$dir/data' -U autolfads --pwfile='$dir/pw' --auth-local=trust --auth-host=scram-sha-256 -E UTF8" >"$dir/initdb.log"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$dir/data/pg_hba.conf"
  "${exec[@]}" su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -o \"-c listen_addresses=$addr -p $port -k '$dir'\" -w start" >/dev/null
  su postgres -s /bin/sh -c "$bin/createdb -h '$dir' -p $port -U autolfads autolfads"
}

# pg_stop DIR [NETNS]
pg_stop() {
  local dir=$1 ns=${2:-}
  local bin; bin=$(pg_bindir) || return 0
  local exec=(); [[ -n "$ns" ]] && exec=(ip netns exec "$ns")
  [[ -f "$dir/data/postmaster.pid" ]] && "${exec[@]}" su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
}

# pg_sql DIR PORT SQL: runs SQL through the Unix socket in DIR, prints unaligned rows.
pg_sql() {
  su postgres -s /bin/sh -c "psql -h '$1' -p $2 -U autolfads -d autolfads -At -c \"$3\""
}

# skip REASON: exit 77 (skipped) because the environment lacks a tool or right; REASON names it.
# Only for what this machine lacks (root, a package that cannot be installed): anything else fails.
skip() { echo "SKIP: $*"; exit 77; }

# require_tools TOOL…: skip naming the tools missing from PATH.
require_tools() {
  local missing=() t; for t in "$@"; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) || skip "this machine has no ${missing[*]} (install it, or run where it is installed)"
}

# require_subcommands BIN CMD…: fail (exit 1) when BIN is not built or lacks a subcommand: a renamed or
# missing command is a broken build, never a reason to skip.
require_subcommands() {
  local bin=$1; shift
  [[ -x "$bin" ]] || { echo "FAIL: $bin is not built (swift build --product autolfads, or set AUTOLFADS=path)"; exit 1; }
  local help; help=$("$bin" --help 2>&1) || { echo "FAIL: $bin --help failed: $help"; exit 1; }
  local c; for c in "$@"; do
    grep -qE "^  $c( |\$)" <<<"$help" || { echo "FAIL: $bin has no '$c' subcommand (its --help lists: $(awk '/^  [a-z]/ {print $1}' <<<"$help" | tr '\n' ' '))"; exit 1; }
  done
}
