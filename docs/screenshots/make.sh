#!/usr/bin/env bash
# Regenerates the renderings of every document kind, first two pages each, as LibreOffice prints
# the DOCX (needs LibreOffice and Poppler: .ci/deps installs them). Run from the repository root:
# docs/screenshots/make.sh
set -euo pipefail
out=docs/screenshots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KARTA_ROADMAPS=roadmaps KARTA_DB="$work/karta.db"
karta() { cargo run --quiet -- "$@"; }
# A few reports so the status report and the overdue notices have something to say.
karta done lazo-2023-2024/org-1 --on 2023-10-16 --now 2023-10-16T15:00:00+10:00 >/dev/null
karta done lazo-2023-2024/org-2 --on 2023-10-20 --now 2023-10-20T15:00:00+10:00 >/dev/null
karta not-done lazo-2023-2024/org-4@2023-11-15 --reason "нет кандидатов на 0,25 ставки" --now 2023-11-16T10:00:00+10:00 >/dev/null
karta move lazo-2023-2024/org-3@2023-10-17 --to 2023-11-30 --reason "кадровые изменения" --approved-by "А.Г. Виноградова" --now 2023-10-16T10:00:00+10:00 >/dev/null
karta value ege-below-min-math-base --period 2024 4,1 --now 2024-02-20T10:00:00+10:00 >/dev/null
now=2024-03-01T12:00:00+10:00
karta render roadmap --roadmap lazo-2023-2024 --format pdf -o "$work/roadmap.pdf"
karta render protocol --format pdf -o "$work/protocol.pdf" 2>/dev/null
karta render status --roadmap lazo-2023-2024 --now $now --since 2023-12-01 --format pdf -o "$work/status.pdf" 2>/dev/null
# A докладная записка (a deputy head to his own head) and a letter (the ministry to the institute).
karta render overdue-letter --roadmap lazo-2023-2024 --now $now --format pdf -o "$work/overdue-letter.pdf"
karta render overdue-letter --roadmap khabarovsk-model-2023-2024 --now $now --format pdf -o "$work/overdue-letter-between.pdf" 2>/dev/null
karta render indicators --roadmap khabarovsk-model-2023-2024 --now $now --format pdf -o "$work/indicators.pdf" 2>/dev/null
for kind in roadmap protocol status overdue-letter overdue-letter-between indicators; do
    pdftoppm -r 60 -png -f 1 -l 1 -singlefile "$work/$kind.pdf" "$out/$kind"
    pdftoppm -r 60 -png -f 2 -l 2 -singlefile "$work/$kind.pdf" "$out/$kind-2"
done
# The roadmap table is the order's second page.
mv "$out/roadmap-2.png" "$out/roadmap-table.png"
