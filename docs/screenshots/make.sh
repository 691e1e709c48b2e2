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

# Two amending orders of the Lazo roadmap (the season of tests/amend.rs, shortened): the baseline
# approved, then order 425 (a deadline and a monthly series moved, executors changed, an activity
# added) and order 12 (an activity removed, the points after it renumbered).
amend=$work/amend
mkdir -p "$amend" && cp -r roadmaps "$amend/"
lazo=$amend/roadmaps/lazo-2023-2024.yaml
export KARTA_ROADMAPS=$amend/roadmaps KARTA_DB=$amend/karta.db KARTA_USER="Иванова Н.П."
karta approve lazo-2023-2024 --now 2023-10-02T12:00:00+10:00 >/dev/null
python3 - "$lazo" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('  date: 2023-10-02\n', '  date: 2023-10-02\n  amendments:\n    - number: "425"\n      date: 2023-11-30\n', 1)
s = s.replace('due: "до 15 ноября 2023 г."', 'due: "до 15 декабря 2023 г."', 1)
s = s.replace('due: "Ежемесячно, последняя среда месяца"', 'due: "Ежемесячно, последний четверг месяца"', 1)
s = s.replace('executors: [imc, oo-admin]\n        executors_text: "МБУ «ИМЦ» Администрация ОО района"\n        due: "октябрь – ноябрь 2023 г."',
              'executors: [imc]\n        executors_text: "МБУ «ИМЦ»"\n        due: "октябрь – ноябрь 2023 г."', 1)
s = s.replace('  - id: method\n', '      - id: org-10\n        number: "10."\n        title: "Мониторинг реализации индивидуальных образовательных маршрутов педагогов"\n        executors: [imc]\n        due: "до 20 декабря 2023 г."\n        result: "аналитическая справка"\n\n  - id: method\n', 1)
open(p, 'w').write(s)
PY
karta approve lazo-2023-2024 --now 2023-12-01T09:00:00+10:00 >/dev/null
python3 - "$lazo" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('      date: 2023-11-30\n', '      date: 2023-11-30\n    - number: "12"\n      date: 2024-01-15\n', 1)
start = s.index('      - id: method-12\n')
s = s[:start] + s[s.index('      - id: method-13\n', start):]
for n in range(13, 18):
    s = s.replace(f'      - id: method-{n}\n        number: "{n}."', f'      - id: method-{n}\n        number: "{n - 1}."', 1)
s = s.replace('        after: [method-12]\n', '')
open(p, 'w').write(s)
PY
karta approve lazo-2023-2024 --now 2024-01-16T09:00:00+10:00 >/dev/null
for version in 2 3; do
    karta render amendment --roadmap lazo-2023-2024 --version $version --now $now --format pdf -o "$work/amendment-$version.pdf"
    pdftoppm -r 60 -png -f 1 -l 1 -singlefile "$work/amendment-$version.pdf" "$out/amendment-$version"
done
