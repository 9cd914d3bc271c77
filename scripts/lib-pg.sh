# Helpers shared by the heavy deployment tests (sourced, not run).

# pg_start DIR ADDR PORT PASSWORD [NETNS]: a throwaway PostgreSQL 15 in DIR listening on ADDR:PORT,
# user autolfads with PASSWORD (scram) and database autolfads. Runs inside NETNS when given.
pg_start() {
  local dir=$1 addr=$2 port=$3 pw=$4 ns=${5:-}
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
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
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local exec=(); [[ -n "$ns" ]] && exec=(ip netns exec "$ns")
  [[ -f "$dir/data/postmaster.pid" ]] && "${exec[@]}" su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
}

# pg_sql DIR PORT SQL: runs SQL through the Unix socket in DIR, prints unaligned rows.
pg_sql() {
  su postgres -s /bin/sh -c "psql -h '$1' -p $2 -U autolfads -d autolfads -At -c \"$3\""
}

# require_subcommands BIN CMD…: exit 77 (skipped) when BIN lacks a subcommand (runtime not merged yet).
require_subcommands() {
  local bin=$1; shift
  [[ -x "$bin" ]] || { echo "SKIP: $bin not built (swift build --product autolfads, or set AUTOLFADS=path)"; exit 77; }
  local c; for c in "$@"; do
    "$bin" --help 2>/dev/null | grep -qE "^  $c( |\$)" || { echo "SKIP: $bin has no '$c' subcommand yet (runtime not merged)"; exit 77; }
  done
}
