"""Prints the spans a TELINJECT_OUT file holds as an indented tree per trace (its resource and
dropped lines are left out: docs/telemetry.md). `telinject report FILE` prints the table."""
import json
import sys


def main(path):
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    spans = [record for record in records if "span_id" in record]
    children = {}
    for span in spans:
        children.setdefault(span.get("parent_span_id"), []).append(span)
    ids = {span["span_id"] for span in spans}

    def show(span, depth):
        status = span["status"] + (f" {span['exception.type']}" if span.get("exception.type") else "")
        where = f"{span['code.file.path'].rsplit('/', 1)[-1]}:{span['code.line.number']}"
        print(f"{'  ' * depth}{span['name']}  {span['duration_ns'] / 1000:.1f} µs  {status}  ({where})")
        for child in sorted(children.get(span["span_id"], []), key=lambda s: s["start_time_unix_nano"]):
            show(child, depth + 1)

    roots = [s for s in spans if s.get("parent_span_id") not in ids]
    for root in sorted(roots, key=lambda s: s["start_time_unix_nano"]):
        show(root, 0)
    print(f"{len(spans)} spans")


if __name__ == "__main__":
    main(sys.argv[1])
