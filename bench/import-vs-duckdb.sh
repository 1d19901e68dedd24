#!/usr/bin/env bash
# Converts one generated CSV to Parquet twice, with `lode import` and with DuckDB, and prints each throughput
# (source bytes / wall seconds, including process start) and their ratio.
#
#   bench/import-vs-duckdb.sh              # 500 MB of CSV
#   BENCH_MB=100 bench/import-vs-duckdb.sh
#
# Needs python3 (generator), node and npm (DuckDB, installed on first use into bench/.duckdb, which git ignores),
# and a JDK 25 for ./lode. Temporary files go under $TMPDIR (default /tmp) and are removed on exit.
# BENCH_THREADS sets both tools' threads (default: all cores).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mb="${BENCH_MB:-500}"
threads="${BENCH_THREADS:-$(nproc)}"
duckdb_version="1.5.6-r.1"
duckdb_prefix="$here/.duckdb"
duckdb_module="$duckdb_prefix/node_modules/@duckdb/node-api"

[[ "$mb" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_MB must be a positive whole number of megabytes, got '$mb'" >&2; exit 1; }
for tool in python3 node npm; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed but not installed" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/lode-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ "$(node -p "try { require('$duckdb_module/package.json').version } catch (e) { '' }")" != "$duckdb_version" ]; then
  echo "bench: installing @duckdb/node-api@$duckdb_version into $duckdb_prefix" >&2
  mkdir -p "$duckdb_prefix"
  npm install --prefix "$duckdb_prefix" --no-audit --no-fund --loglevel=error \
    "@duckdb/node-api@$duckdb_version" >/dev/null
fi

# Build the CLI before timing anything: the launcher builds on first use.
"$root/lode" --help >/dev/null

csv="$work/data.csv"
echo "bench: generating ${mb} MB of CSV" >&2
rows="$(python3 "$here/gen_csv.py" "$csv" "$mb")"
bytes="$(stat -c %s "$csv")"

now() { date +%s%N; } # nanoseconds

mkdir -p "$work/repo"
"$root/lode" init "$work/repo" >/dev/null
echo "bench: lode import ($threads threads)" >&2
start="$(now)"
"$root/lode" import --repo "$work/repo" bench "$csv" --quiet --threads "$threads" >/dev/null
lode_nanos=$(( $(now) - start ))
lode_bytes="$(du -sb "$work/repo/.lode/objects" | cut -f1)"

cat >"$work/duckdb-convert.cjs" <<'JS'
// node duckdb-convert.cjs MODULE CSV PARQUET THREADS
const [duckdb, csv, parquet, threads] = process.argv.slice(2);
const { DuckDBInstance } = require(duckdb);
const quote = text => "'" + text.replaceAll("'", "''") + "'";
(async () => {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  await connection.run(`COPY (SELECT * FROM read_csv(${quote(csv)})) TO ${quote(parquet)} (FORMAT parquet)`);
})().catch(error => { console.error(error); process.exit(1); });
JS
echo "bench: DuckDB COPY ... TO parquet ($threads threads)" >&2
start="$(now)"
node "$work/duckdb-convert.cjs" "$duckdb_module" "$csv" "$work/duckdb.parquet" "$threads"
duckdb_nanos=$(( $(now) - start ))
duckdb_bytes="$(stat -c %s "$work/duckdb.parquet")"

awk -v bytes="$bytes" -v rows="$rows" -v lode="$lode_nanos" -v duck="$duckdb_nanos" \
    -v lode_out="$lode_bytes" -v duck_out="$duckdb_bytes" -v threads="$threads" -v version="$duckdb_version" 'BEGIN {
  lode /= 1e9; duck /= 1e9
  printf "source: %.1f MB, %d rows, %d threads\n", bytes / 1e6, rows, threads
  printf "lode import:     %7.2f s  %8.1f MB/s  (repository objects %.1f MB)\n", lode, bytes / 1e6 / lode, lode_out / 1e6
  printf "duckdb %s: %7.2f s  %8.1f MB/s  (parquet %.1f MB)\n", version, duck, bytes / 1e6 / duck, duck_out / 1e6
  printf "ratio lode/duckdb: %.2f\n", duck / lode
}'
