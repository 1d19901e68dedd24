#!/usr/bin/env bash
# Pushes and pulls the same ~2 GB of fragments with Lode and with `aws s3 cp --recursive` against one local
# S3-compatible server (lode s3-server: s3proxy on the local file system) in one run, and prints MB/s for each and
# the ratios (Lode / awscli). Then appends 1% of rows, re-imports, re-pushes, and prints the bytes that re-push
# sent (must be under 2% of the total).
#
#   bench/push-pull-vs-awscli.sh               # about 2 GB of fragments
#   BENCH_MB=200 bench/push-pull-vs-awscli.sh
#
# The data is a NumPy array of random uint8 images (N x 3072, like CIFAR), imported once; random bytes do not
# compress, so the fragments are about as large as the array. Lode uses its defaults (8 objects at once);
# awscli uses its own (10 requests at once). Wall times include process start. Lode's pull fsyncs every object;
# awscli does not. Needs python3 with numpy and a JDK 25 for ./lode; installs the Debian awscli if aws is
# missing (as .ci/run does). Temporary files go under $TMPDIR (default /tmp) and are removed on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mb="${BENCH_MB:-2048}"
[[ "$mb" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_MB must be a positive whole number of megabytes, got '$mb'" >&2; exit 1; }
python3 -c 'import numpy' 2>/dev/null || { echo "bench: python3 with numpy is needed" >&2; exit 1; }
if ! command -v aws >/dev/null 2>&1; then
  echo "bench: installing awscli" >&2
  (apt-get install -y -q awscli || (apt-get update -q && apt-get install -y -q awscli)) >/dev/null 2>&1 \
    || { echo "bench: awscli is needed and could not be installed" >&2; exit 1; }
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/lode-s3-bench.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$root/lode" --help >/dev/null # builds the CLI before anything is timed

echo "bench: generating ${mb} MB of images (and a copy with 1% more rows)" >&2
python3 - "$work" "$mb" <<'PY'
import sys
import numpy as np
work, mb = sys.argv[1], int(sys.argv[2])
width = 3072
rows = mb * 1024 * 1024 // width
chunk = 16384
def write(path, total):
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=(total, width))
    for start in range(0, total, chunk):
        # Chunk k is drawn from seed k, so the longer array starts with exactly the shorter one: an append.
        block = np.random.default_rng(start // chunk).integers(0, 256, size=(chunk, width), dtype=np.uint8)
        end = min(total, start + chunk)
        out[start:end] = block[: end - start]
    out.flush()
write(f"{work}/base.npy", rows)
write(f"{work}/appended.npy", rows + rows // 100)
PY

now() { date +%s%N; }
seconds() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e9 }'; }
rate() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.1f", b / 1e6 / (n / 1e9) }'; }

"$root/lode" s3-server --dir "$work/s3" --port 0 --bucket bench >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  grep -qs '^ready ' "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
endpoint="$(awk '/^ready / { print $2 }' "$work/server.log")"
[ -n "$endpoint" ] || { echo "bench: the S3 server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=lode-local AWS_SECRET_ACCESS_KEY=lode-local-secret AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
s3=(--endpoint "$endpoint" --path-style --region us-east-1)

repo="$work/repo"
"$root/lode" init "$repo" >/dev/null
echo "bench: lode import" >&2
"$root/lode" import --repo "$repo" images "$work/base.npy" --quiet >/dev/null
"$root/lode" remote add --repo "$repo" origin s3://bench/lode "${s3[@]}" >/dev/null
bytes="$(du -sb "$repo/.lode/objects" | cut -f1)"
objects="$(find "$repo/.lode/objects" -type f | wc -l)"
echo "bench: $objects objects, $bytes bytes; server $endpoint" >&2

echo "bench: lode push" >&2
start="$(now)"; "$root/lode" push --repo "$repo" --quiet >/dev/null; lode_push=$(( $(now) - start ))
echo "bench: aws s3 cp --recursive (upload)" >&2
start="$(now)"
aws --endpoint-url "$endpoint" s3 cp --recursive --only-show-errors "$repo/.lode/objects" s3://bench/aws/
aws_push=$(( $(now) - start ))

echo "bench: lode clone" >&2
start="$(now)"; "$root/lode" clone s3://bench/lode "$work/clone" "${s3[@]}" --quiet >/dev/null; lode_pull=$(( $(now) - start ))
echo "bench: aws s3 cp --recursive (download)" >&2
start="$(now)"
aws --endpoint-url "$endpoint" s3 cp --recursive --only-show-errors s3://bench/aws/ "$work/aws-download"
aws_pull=$(( $(now) - start ))
[ "$(du -sb "$work/clone/.lode/objects" | cut -f1)" = "$bytes" ] || { echo "bench: lode clone is incomplete" >&2; exit 1; }
[ "$(du -sb "$work/aws-download" | cut -f1)" = "$bytes" ] || { echo "bench: awscli download is incomplete" >&2; exit 1; }

echo "bench: append 1% of rows, import, push again" >&2
mv "$work/appended.npy" "$work/base.npy" # the same file, grown by 1%
"$root/lode" import --repo "$repo" images "$work/base.npy" --quiet >/dev/null
repush="$("$root/lode" push --repo "$repo" --json)"
sent="$(printf '%s' "$repush" | python3 -c 'import json, sys; print(json.load(sys.stdin)["bytes"])')"

echo
printf 'data: %d objects, %.1f MB (lode s3-server on the local file system, %s)\n' "$objects" \
  "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$endpoint"
printf '%-34s %8s s %8s MB/s\n' "lode push" "$(seconds $lode_push)" "$(rate "$bytes" $lode_push)"
printf '%-34s %8s s %8s MB/s\n' "aws s3 cp --recursive (upload)" "$(seconds $aws_push)" "$(rate "$bytes" $aws_push)"
printf '%-34s %8s s %8s MB/s\n' "lode clone (pull)" "$(seconds $lode_pull)" "$(rate "$bytes" $lode_pull)"
printf '%-34s %8s s %8s MB/s\n' "aws s3 cp --recursive (download)" "$(seconds $aws_pull)" "$(rate "$bytes" $aws_pull)"
printf 'ratio push lode/aws: %.2f   ratio pull lode/aws: %.2f   (above 1: Lode faster)\n' \
  "$(awk -v a="$aws_push" -v l="$lode_push" 'BEGIN { print a / l }')" \
  "$(awk -v a="$aws_pull" -v l="$lode_pull" 'BEGIN { print a / l }')"
percent="$(awk -v s="$sent" -v b="$bytes" 'BEGIN { printf "%.2f", 100 * s / b }')"
echo "re-push after a 1% append sent $sent bytes, $percent% of $bytes"
awk -v p="$percent" 'BEGIN { exit !(p < 2) }' || { echo "bench: the re-push sent 2% or more" >&2; exit 1; }
