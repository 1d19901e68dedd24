"""Writes a deterministic CSV of at least TARGET_MB megabytes to PATH: python3 gen_csv.py PATH TARGET_MB.

Columns mix integers, floats (with nulls), low- and high-cardinality strings (some quoted, with commas and quotes),
booleans and dates. The same arguments give the same bytes with any Python 3: only Random.getrandbits is used.
"""
import random
import sys

path, target_mb = sys.argv[1], int(sys.argv[2])
target = target_mb * 1_000_000
rng = random.Random(20261123)
bits = rng.getrandbits
categories = ["electronics", "books", "garden", "toys", "grocery", "sports", "beauty", "automotive",
              "music", "office", "pets", "tools", "baby", "health", "jewelry", "shoes"]
syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "an", "el", "or", "us", "ve", "zi", "qu", "dr"]
# A comment is a few syllable words; some hold a comma or a quote, so they are quoted as RFC 4180 says.
comments = []
for i in range(4096):
    words = " ".join("".join(syllables[bits(4)] for _ in range(2 + bits(2))) for _ in range(1 + bits(3)))
    if i % 17 == 0:
        words = '"' + words.replace(" ", ", ", 1) + '"'
    elif i % 29 == 0:
        words = '"' + words + ' ""quoted"""'
    comments.append(words)
days = ["%04d-%02d-%02d" % (2020 + y, m, d) for y in range(6) for m in range(1, 13) for d in range(1, 29)]

written = 0
row = 0
with open(path, "w", encoding="utf-8", newline="") as out:
    out.write("id,user_id,amount,score,category,comment,in_stock,day\n")
    while written < target:
        lines = []
        for _ in range(10_000):
            r = bits(64)
            s = bits(64)
            score = "" if s & 63 == 0 else repr((s >> 11) / 9007199254740992.0)
            lines.append("%d,%d,%d.%02d,%s,%s,%s,%s,%s\n" % (
                row, r >> 44, (r >> 24) & 0xFFFFF, (r >> 17) % 100, score, categories[(r >> 13) & 15],
                comments[(r >> 1) & 4095], "true" if r & 1 else "false", days[(s >> 6) % len(days)]))
            row += 1
        block = "".join(lines)
        out.write(block)
        written += len(block)
print(row)
