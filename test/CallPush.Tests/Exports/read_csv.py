"""Reads an RFC 4180 CSV file (optionally gzip-compressed) with Python's csv module and prints its rows as JSON.

An independent reader for the export tests: the files are written with CsvHelper, so they are read back without it.
"""
import csv
import gzip
import json
import sys

path = sys.argv[1]
opener = gzip.open if path.endswith(".gz") else open
with opener(path, "rt", newline="", encoding="utf-8-sig") as f:
    rows = list(csv.reader(f, dialect="excel", strict=True))
json.dump(rows, sys.stdout, ensure_ascii=False)
