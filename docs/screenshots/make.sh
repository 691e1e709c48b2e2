#!/usr/bin/env bash
# Regenerates the first-page renderings of every document kind (needs LibreOffice and Poppler:
# .ci/deps installs them). Run from the repository root: docs/screenshots/make.sh
set -euo pipefail
out=docs/screenshots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KARTA_ROADMAPS=roadmaps KARTA_DB="$work/karta.db"
karta() { cargo run --quiet -- "$@"; }
# A few reports so the status report and the overdue letter have something to say.
karta done lazo-2023-2024/org-1 --on 2023-10-16 --now 2023-10-16T15:00:00+10:00 >/dev/null
karta done lazo-2023-2024/org-2 --on 2023-10-20 --now 2023-10-20T15:00:00+10:00 >/dev/null
karta not-done lazo-2023-2024/org-4@2023-11-15 --reason "нет кандидатов на 0,25 ставки" --now 2023-11-16T10:00:00+10:00 >/dev/null
karta value ege-below-min-math-base --period 2024 4,1 --now 2024-02-20T10:00:00+10:00 >/dev/null
now=2024-03-01T12:00:00+10:00
karta render roadmap --roadmap lazo-2023-2024 --format pdf -o "$work/roadmap.pdf"
karta render protocol --format pdf -o "$work/protocol.pdf"
karta render status --roadmap lazo-2023-2024 --now $now --format pdf -o "$work/status.pdf"
karta render overdue-letter --roadmap lazo-2023-2024 --now $now --format pdf -o "$work/overdue-letter.pdf"
karta render indicators --roadmap khabarovsk-model-2023-2024 --now $now --format pdf -o "$work/indicators.pdf"
for kind in roadmap protocol status overdue-letter indicators; do
    pdftoppm -r 60 -png -f 1 -l 1 -singlefile "$work/$kind.pdf" "$out/$kind"
done
# The roadmap table is on the order's second page.
pdftoppm -r 60 -png -f 2 -l 2 -singlefile "$work/roadmap.pdf" "$out/roadmap-table"
