#!/usr/bin/env python3
"""Lays out the fuzzing corpora under fuzz/corpus/TARGET from the repository's own files.

    python3 fuzz/seed.py            # all targets
    python3 fuzz/seed.py deadline   # one

deadline      one file per phrase of tests/deadlines/corpus.yaml (and tests/deadlines/real/phrases.yaml
              when present), named by the SHA-1 of the phrase as libFuzzer names its own inputs
loader        roadmaps/*.yaml and tests/fixtures/broken/*.yaml
convert_docx  tests/fixtures/convert/*.docx and tests/fixtures/convert/real/*.docx
convert_xlsx  tests/fixtures/convert/*.xlsx and tests/fixtures/convert/real/*.xlsx

Existing files in a corpus are kept (libFuzzer adds what it finds there); the script only adds.
The corpora are generated, not committed (fuzz/.gitignore).
"""

import hashlib
import pathlib
import shutil
import sys

import yaml  # PyYAML

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent


def phrases():
    for name in ("tests/deadlines/corpus.yaml", "tests/deadlines/real/phrases.yaml"):
        path = ROOT / name
        if not path.exists():
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(entry, dict) and isinstance(entry.get("phrase"), str):
                yield entry["phrase"]


def put(target, data):
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def copy(target, patterns):
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            shutil.copyfile(path, out / path.name)
            n += 1
    return n


def main(targets):
    counts = {}
    if "deadline" in targets:
        seen = set()
        for p in phrases():
            seen.add(p)
            put("deadline", p.encode("utf-8"))
        counts["deadline"] = len(seen)
    if "loader" in targets:
        counts["loader"] = copy("loader", ["roadmaps/*.yaml", "tests/fixtures/broken/*.yaml"])
    if "convert_docx" in targets:
        counts["convert_docx"] = copy("convert_docx", ["tests/fixtures/convert/*.docx", "tests/fixtures/convert/real/*.docx"])
    if "convert_xlsx" in targets:
        counts["convert_xlsx"] = copy("convert_xlsx", ["tests/fixtures/convert/*.xlsx", "tests/fixtures/convert/real/*.xlsx"])
    for target, n in counts.items():
        print(f"{target}: {n} seeds -> fuzz/corpus/{target}")


if __name__ == "__main__":
    all_targets = ["deadline", "loader", "convert_docx", "convert_xlsx"]
    wanted = sys.argv[1:] or all_targets
    unknown = [t for t in wanted if t not in all_targets]
    if unknown:
        sys.exit(f"unknown target(s): {', '.join(unknown)}; known: {', '.join(all_targets)}")
    main(wanted)
