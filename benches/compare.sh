#!/usr/bin/env bash
# Times serge against ripgrep and GNU grep on the bundled corpus and on generated scale
# corpora, and serge's index build, then writes a Markdown table.
#
#   benches/compare.sh [SIZE...]        # default: 100MB 1GB (the bundled corpus always runs)
#
# Needs hyperfine, rg and GNU grep on PATH. Scale corpora are generated (seed 1) into
# $SCALE_DIR (default target/scale) when missing; indexes go beside them. The table goes to
# stdout and to $SCALE_DIR/compare.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
if [ ${#SIZES[@]} -eq 0 ]; then SIZES=(100MB 1GB); fi
SCALE_DIR=${SCALE_DIR:-target/scale}
RUNS=${RUNS:-20}
PHRASES=("old muck" "socialism in one country" "kingdom of the will" "Kronstadt")

for tool in hyperfine rg grep; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is not installed" >&2; exit 2; }
done

cargo build --release --quiet
SERGE=$PWD/target/release/serge
mkdir -p "$SCALE_DIR"
OUT="$SCALE_DIR/compare.md"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
{
  echo "Machine: $(nproc) cores, $cpu, $mem; $(date -u +%Y-%m-%d)."
  echo
  echo "| corpus | raw size | index build | build rate | peak memory | index size | add one document |"
  echo "|---|---|---|---|---|---|---|"
} > "$TMP/build.md"
{
  echo "| corpus | query | serge search | rg -i -F | grep -F -i -r | rg / serge |"
  echo "|---|---|---|---|---|---|"
} > "$TMP/search.md"

mean_ms() { # hyperfine JSON, command index
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]; print(f\"{r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} ms\")" "$1" "$2"
}
ratio() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(f\"{r[1]['mean']/r[0]['mean']:.1f}×\")" "$1"
}

run_corpus() { # name, corpus dir
  local name=$1 corpus=$2 index="$SCALE_DIR/index-$1"
  local bytes
  bytes=$(find "$corpus" -type f -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
  rm -rf "$index"
  sync
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$SERGE" --corpus "$corpus" --index "$index" index >/dev/null
  read -r secs kb < "$TMP/time"
  local rate size
  rate=$(python3 -c "print(f'{$bytes/1e6/$secs:.1f} MB/s')")
  size=$(du -sh "$index" | cut -f1)
  # Adding one document to the built index (each run also removes the previous run's one).
  hyperfine --runs 10 --export-json "$TMP/add.json" \
    --prepare "rm -f $corpus/zz_added_*.txt; cp corpus/000_2b4d951a94e98a10.txt $corpus/zz_added_\$RANDOM\$RANDOM.txt" \
    "$SERGE --corpus $corpus --index $index index" >/dev/null
  rm -f "$corpus"/zz_added_*.txt
  "$SERGE" --corpus "$corpus" --index "$index" index >/dev/null
  echo "| $name | $(python3 -c "print(f'{$bytes/1e6:.1f} MB')") | ${secs} s | $rate | $((kb / 1024)) MiB | $size | $(mean_ms "$TMP/add.json" 0) |" >> "$TMP/build.md"
  for phrase in "${PHRASES[@]}"; do
    local q="\"$phrase\""
    [ "$phrase" = "Kronstadt" ] && q="$phrase"
    hyperfine --warmup 3 --runs "$RUNS" -N -i --export-json "$TMP/h.json" \
      "$SERGE --corpus $corpus --index $index search --color never '$q'" \
      "rg -i -F '$phrase' $corpus" \
      "grep -F -i -r '$phrase' $corpus" >/dev/null
    echo "| $name | $q | $(mean_ms "$TMP/h.json" 0) | $(mean_ms "$TMP/h.json" 1) | $(mean_ms "$TMP/h.json" 2) | $(ratio "$TMP/h.json") |" >> "$TMP/search.md"
  done
}

run_corpus bundled corpus
for size in "${SIZES[@]}"; do
  dir="$SCALE_DIR/$size"
  if [ ! -f "$dir/catalog.json" ]; then
    "$SERGE" --corpus corpus generate "$dir" --size "$size" --seed 1
  fi
  run_corpus "$size" "$dir"
done

{
  cat "$TMP/build.md"
  echo
  cat "$TMP/search.md"
} | tee "$OUT"
