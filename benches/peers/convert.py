"""Writes a karta plan (karta plan --format json) in the peers' formats, one task per occurrence
with its dependencies:

    convert.py plan.json events.csv OUT_DIR

- OUT_DIR/project.tjp: a TaskJuggler 3 project (tasks start on the day they open, one day long,
  `depends` on their prerequisites) with a CSV task report;
- OUT_DIR/tasks.json: Taskwarrior import JSON (due, depends, and the reports in events.csv as
  completed tasks with their end date).
"""

import csv
import json
import sys
import uuid

plan_path, events_path, out = sys.argv[1:4]
plan = json.load(open(plan_path, encoding="utf-8"))
occurrences = plan["occurrences"]
ids = {o["id"]: f"t{i}" for i, o in enumerate(occurrences)}
uuids = {o["id"]: str(uuid.uuid5(uuid.NAMESPACE_URL, o["id"])) for o in occurrences}

done = {}
with open(events_path, encoding="utf-8") as f:
    for row in csv.DictReader(f, delimiter=";"):
        d, m, y = row["date"].split(".")
        done[row["occurrence"]] = f"{y}{m}{d}T120000Z"

with open(f"{out}/project.tjp", "w", encoding="utf-8") as f:
    f.write('project karta "karta" 2023-08-01 +14m {\n  timezone "Asia/Vladivostok"\n  timeformat "%Y-%m-%d"\n}\n')
    f.write('resource team "Исполнители"\n')
    for o in occurrences:
        title = o["title"].replace('"', "'")
        deps = [ids[d] for d in o.get("depends_on", []) if d in ids]
        f.write(f'task {ids[o["id"]]} "{title}" {{\n')
        if deps:
            f.write(f'  depends {", ".join(deps)}\n')
        else:
            f.write(f'  start {o["opens"]}\n')
        f.write("  duration 1d\n}\n")
    f.write('taskreport plan "plan" {\n  formats csv\n  columns id, start, end\n}\n')

tasks = []
for o in occurrences:
    due = o["due"][:10].replace("-", "") + "T235959Z"
    task = {"uuid": uuids[o["id"]], "description": o["title"], "project": o["roadmap"], "due": due,
            "entry": "20230801T000000Z", "status": "pending"}
    deps = [uuids[d] for d in o.get("depends_on", []) if d in uuids]
    if deps:
        task["depends"] = ",".join(deps)
    if o["id"] in done:
        task["status"] = "completed"
        task["end"] = done[o["id"]]
    tasks.append(task)
json.dump(tasks, open(f"{out}/tasks.json", "w", encoding="utf-8"), ensure_ascii=False)
print(f"{len(occurrences)} occurrences, {len(done)} reports")
