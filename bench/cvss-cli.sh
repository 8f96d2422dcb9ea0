#!/usr/bin/env bash
# Throughput of `embargo cvss score --stdin` on 100,000 vectors (the shared reference vectors
# repeated), against the floor of simply copying the same input through `cat`.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED_DIR:-../shared}/testdata/cvss"
bin=target/release/embargo
[ -x "$bin" ] || cargo build --release -p embargo
input="$(mktemp)"
trap 'rm -f "$input"' EXIT
while [ "$(wc -l < "$input")" -lt 100000 ]; do
    grep -hv '^#' "$shared"/*.tsv | cut -f1 >> "$input"
done
head -n 100000 "$input" > "$input.100k" && mv "$input.100k" "$input"
echo "input: $(wc -l < "$input") vectors"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 2 --runs 10 \
        "$bin cvss score --stdin < $input > /dev/null" \
        "cat $input > /dev/null"
else
    for _ in 1 2 3; do
        /usr/bin/time -f "%e s wall, %U s user, %M KiB max RSS" "$bin" cvss score --stdin < "$input" > /dev/null
    done
fi
