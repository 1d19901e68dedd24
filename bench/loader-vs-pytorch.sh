#!/usr/bin/env bash
# Reads the same shuffled samples (3x32x32 uint8 images + int64 labels, CIFAR-like) with a PyTorch DataLoader over
# NumPy memmaps and with Lode's Loader over a Lode dataset, and prints samples/s for both and their ratio.
#
#   bench/loader-vs-pytorch.sh                     # 200,000 samples, batch 256, 3 epochs
#   BENCH_SAMPLES=50000 BENCH_EPOCHS=2 bench/loader-vs-pytorch.sh
#
# PyTorch side: shuffle=True, the same batch size, num_workers 0, 1 and 2 tried (persistent workers) and the best
# kept; two Datasets, the usual one sample per __getitem__ (default collate), and one batch of indices per
# __getitem__ (BatchSampler over a RandomSampler, one fancy-indexed memmap read per batch). Lode side: Loader in
# global order (a full shuffle each epoch), 2 threads, batches assembled into pinned slabs as Arrow vectors.
# Each clock covers all epochs, the first (cold: Lode decodes its Parquet fragments) included.
# Needs Debian's python3-torch and python3-numpy (installed with apt-get when missing; run as root), Maven and a
# JDK 25. Temporary files go under $TMPDIR (default /tmp) and are removed on exit. Figures on a shared machine are
# noisy: run it more than once.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
samples="${BENCH_SAMPLES:-200000}"
epochs="${BENCH_EPOCHS:-3}"
batch="${BENCH_BATCH:-256}"
python=/usr/bin/python3 # Debian's python, where python3-torch installs

for value in "$samples" "$epochs" "$batch"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_SAMPLES, BENCH_EPOCHS and BENCH_BATCH must be positive whole numbers, got '$value'" >&2; exit 1; }
done

if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "bench: installing python3-torch and python3-numpy with apt-get" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-numpy >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/lode-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "bench: building the CLI and the benchmark classes" >&2
"$root/lode" --help >/dev/null
(cd "$root" && mvn -B -q -o -DskipTests -pl jmh -am package >"$work/build.log" 2>&1) \
  || (cd "$root" && mvn -B -q -DskipTests -pl jmh -am package >"$work/build.log" 2>&1) \
  || { cat "$work/build.log" >&2; echo "bench: build failed" >&2; exit 2; }
# The JDK 25 the launcher uses: JAVA_HOME when it is 25+, else the newest under /usr/lib/jvm.
java=""
for candidate in "${JAVA_HOME:-/nonexistent}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do
  version="$("${candidate%/}/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' || true)"
  if [ -n "$version" ] && [ "${version%%.*}" -ge 25 ]; then java="${candidate%/}/bin/java"; break; fi
done
[ -n "$java" ] || { echo "bench: no JDK 25 or newer found" >&2; exit 2; }

echo "bench: generating $samples samples" >&2
"$python" - "$work" "$samples" <<'PY'
import sys, numpy as np
work, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(7)
images = np.lib.format.open_memmap(f"{work}/images.npy", mode="w+", dtype=np.uint8, shape=(n, 3, 32, 32))
for start in range(0, n, 10000):
    stop = min(n, start + 10000)
    images[start:stop] = rng.integers(0, 256, size=(stop - start, 3, 32, 32), dtype=np.uint8)
images.flush()
labels = rng.integers(0, 10, size=n, dtype=np.int64)
np.save(f"{work}/labels.npy", labels)
np.savez(f"{work}/cifar.npz", images=np.load(f"{work}/images.npy", mmap_mode="r"), labels=labels)
PY

echo "bench: importing into Lode" >&2
"$root/lode" init "$work/repo" >/dev/null
"$root/lode" import --repo "$work/repo" cifar "$work/cifar.npz" --quiet >/dev/null
rm -f "$work/cifar.npz"

cat >"$work/torch_bench.py" <<'PY'
import sys, time, numpy as np, torch
from torch.utils.data import DataLoader, Dataset, BatchSampler, RandomSampler

work, batch, epochs, workers, style = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(1)

class Samples(Dataset):
    """One sample per __getitem__ from the memmaps: the usual map-style Dataset."""
    def __init__(self):
        self.images = np.load(f"{work}/images.npy", mmap_mode="r")
        self.labels = np.load(f"{work}/labels.npy", mmap_mode="r")
    def __len__(self):
        return len(self.labels)
    def __getitem__(self, i):
        return torch.from_numpy(np.array(self.images[i])), int(self.labels[i])

class Batches(Samples):
    """A list of indices per __getitem__: one fancy-indexed memmap read per batch."""
    def __getitem__(self, indices):
        return torch.from_numpy(self.images[indices]), torch.from_numpy(self.labels[indices])

start = time.perf_counter()
if style == "sample":
    loader = DataLoader(Samples(), batch_size=batch, shuffle=True, drop_last=True, num_workers=workers,
                        persistent_workers=workers > 0)
else:
    data = Batches()
    sampler = BatchSampler(RandomSampler(data), batch_size=batch, drop_last=True)
    loader = DataLoader(data, sampler=sampler, batch_size=None, num_workers=workers, persistent_workers=workers > 0)
count = 0
steady_count = 0
for epoch in range(epochs):
    if epoch == 1:
        steady_start = time.perf_counter()
    for images, labels in loader:
        count += images.shape[0]
        if epoch >= 1:
            steady_count += images.shape[0]
end = time.perf_counter()
steady = steady_count / (end - steady_start) if steady_count else 0.0
print(f"samples={count} seconds={end - start:.3f} samples_per_second={count / (end - start):.1f}"
      f" steady_samples_per_second={steady:.1f}")
PY

field() { sed -n "s/.*[ ^]$1=\([0-9.]*\).*/\1/p"; }
bigger() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# Best over num_workers 0, 1, 2 for each dataset style, by the all-epochs rate.
declare -A best best_steady best_setting
for style in sample batch; do
  best[$style]=0
  for workers in 0 1 2; do
    line="$("$python" "$work/torch_bench.py" "$work" "$batch" "$epochs" "$workers" "$style")"
    echo "pytorch  dataset=$style num_workers=$workers  $line"
    r="$(echo " $line" | field samples_per_second)"
    if bigger "$r" "${best[$style]}"; then
      best[$style]="$r"; best_steady[$style]="$(echo " $line" | field steady_samples_per_second)"
      best_setting[$style]="num_workers=$workers"
    fi
  done
done

cp="$root/jmh/target/classes:$root/jmh/target/lib/*"
line="$("$java" --add-opens=java.base/java.nio=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  --enable-native-access=ALL-UNNAMED -cp "$cp" dev.lode.jmh.LoaderThroughput "$work/repo" cifar "$batch" "$epochs" 2 global)"
echo "lode     order=global threads=2  $line"
lode="$(echo " $line" | field samples_per_second)"
lode_steady="$(echo " $line" | field steady_samples_per_second)"

echo
echo "samples=$samples batch=$batch epochs=$epochs (3x32x32 uint8 + int64 label; shared 2-core machine, figures are noisy)"
echo "all epochs (Lode's first epoch decodes Parquet) | epochs 1.. only (steady state), samples/s:"
printf '  pytorch, per-sample dataset (%s): %10.0f | %10.0f\n' "${best_setting[sample]}" "${best[sample]}" "${best_steady[sample]}"
printf '  pytorch, batch-index dataset (%s): %9.0f | %10.0f\n' "${best_setting[batch]}" "${best[batch]}" "${best_steady[batch]}"
printf '  lode loader (global order, 2 threads): %8.0f | %10.0f\n' "$lode" "$lode_steady"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "n/a" }'; }
echo "ratio lode / pytorch per-sample:   $(ratio "$lode" "${best[sample]}") all epochs, $(ratio "$lode_steady" "${best_steady[sample]}") steady"
echo "ratio lode / pytorch batch-index:  $(ratio "$lode" "${best[batch]}") all epochs, $(ratio "$lode_steady" "${best_steady[batch]}") steady"
