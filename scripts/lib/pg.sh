# Sourced by the test and benchmark scripts: a throwaway PostgreSQL (PostGIS) cluster in $work/pg,
# listening on a unix socket in $work only. Sets DASHBOARD_TEST_PG; stop_pg stops it.
start_pg() {
  local work=$1
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$work"
    as_pg=(runuser -u postgres --)
  fi
  if ! "${as_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1; then
    cat "$work/initdb.log"; echo "initdb failed"; return 1
  fi
  if ! "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -t 60 \
    -o "-p 5432 -c listen_addresses= -c unix_socket_directories=$work -c max_connections=400 ${PG_EXTRA_OPTIONS:-}" start >/dev/null; then
    cat "$work/pg.log"; echo "PostgreSQL did not start"; return 1
  fi
  # Databases created from template1 carry PostGIS: the app's migrations then need no superuser.
  if ! "$pgbin/psql" -h "$work" -p 5432 -U postgres -d template1 -qc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null; then
    echo "PostGIS could not be created: is postgresql-<version>-postgis-3 installed?"; return 1
  fi
  export DASHBOARD_TEST_PG="Host=$work;Port=5432;Username=postgres"
}

stop_pg() {
  local work=$1
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
}
