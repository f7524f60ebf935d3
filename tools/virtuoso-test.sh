#!/usr/bin/env bash
# `make test-virtuoso`: installs Virtuoso (Debian's virtuoso-opensource) when missing, starts a throw-away server of
# its own on free loopback ports (a fresh database in a temporary folder, nothing of the system's service touched),
# lets the SPARQL endpoint write (GRANT SPARQL_UPDATE, Virtuoso's documented way; its /sparql-auth wants Digest
# authentication, which docket does not speak), runs the store contract suite against it and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

if ! command -v virtuoso-t >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
fi

work=$(mktemp -d)
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sql_port=$(free_port)
http_port=$(free_port)
sed -e "s|/var/lib/virtuoso-opensource-7/db|$work|g" \
    -e "s|^ServerPort *= *1111|ServerPort = 127.0.0.1:$sql_port|" \
    -e "s|^ServerPort *= *8890|ServerPort = 127.0.0.1:$http_port|" \
    -e "s|^DirsAllowed .*|DirsAllowed = ., $work, /usr/share/virtuoso-opensource-7/vad|" \
    /etc/virtuoso-opensource-7/virtuoso.ini > "$work/virtuoso.ini"

virtuoso-t +configfile "$work/virtuoso.ini" +foreground > "$work/server.log" 2>&1 &
server=$!
stop() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT

for _ in $(seq 1 120); do
    if "$PYTHON" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D', timeout=2)" 2>/dev/null; then
        break
    fi
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
done
isql-vt "127.0.0.1:$sql_port" dba dba exec='GRANT SPARQL_UPDATE TO "SPARQL";' >/dev/null

export DOCKET_TEST_VIRTUOSO_QUERY="http://127.0.0.1:$http_port/sparql"
export DOCKET_TEST_VIRTUOSO_UPDATE="http://127.0.0.1:$http_port/sparql"
virtuoso-t +version 2>&1 | head -n 2 || true
.venv/bin/pytest tests/test_store_contract.py -k virtuoso -q "$@"
