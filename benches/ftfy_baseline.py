#!/usr/bin/env python3
"""The baseline for the cleaning benchmark: ftfy's fix_text on the same bytes.

    pip install ftfy
    cargo bench --bench clean          # writes target/tmp/clean-{utf8,mojibake}.txt
    python3 benches/ftfy_baseline.py            # or: python3 benches/ftfy_baseline.py FILE...

Prints MB/s (10^6 bytes of UTF-8 input per second) per file, best of several timed runs,
fix_text called on the whole text as one string, as `serge::ingest::clean_bytes` is.
"""
import os
import sys
import time

import ftfy


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = os.path.join(here, "..", "target", "tmp")
    files = sys.argv[1:] or [os.path.join(tmp, f"clean-{k}.txt") for k in ("utf8", "mojibake")]
    for path in files:
        data = open(path, "rb").read()
        text = data.decode("utf-8")
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            ftfy.fix_text(text)
            best = min(best, time.perf_counter() - start)
        print(f"{os.path.basename(path)}: {len(data)} bytes, ftfy {ftfy.__version__} "
              f"fix_text {best * 1000:.1f} ms = {len(data) / best / 1e6:.2f} MB/s")


if __name__ == "__main__":
    main()
