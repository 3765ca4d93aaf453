"""Which room imports which: the imports between the portal's top-level packages.

    python scripts/rooms.py

Prints each room's imports and every import that goes against the one direction
(docs/architecture.md): a room imports only the rooms below it. Exits 1 if one does.
A strict order has no cycle. Imports inside functions count, and so do a model's
relations named by a string ("notices.Notice"), which tie the tables as an import ties
the code; migrations, tests, benchmarks and scripts do not.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# From the bottom up: the infrastructure, the apps, the project shell.
ORDER = ["portal.lib", "accounts", "records", "imaging", "notices", "portal"]
SKIP = {"migrations", "tests", "bench", "scripts", ".venv"}
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
# App labels whose models live in another package than the label says.
LABELS = {"portal": "portal.lib"}
# Relations named by a string that point upwards, known and kept: a staff account's
# institution and college (accounts.User) and the institution and record an audit event
# concerns (portal.lib.models.AuditEvent) point at the organisation, which lives in
# records. No code is imported for them. Moving the organisation (Institution, College)
# into a room of its own below accounts would end them (docs/architecture.md).
KNOWN_RELATIONS = {("accounts", "records"), ("portal.lib", "records")}


def room_of(module: str) -> str | None:
    if module == "portal.lib" or module.startswith("portal.lib."):
        return "portal.lib"
    top = module.split(".")[0]
    return top if top in ORDER else None


def imported(file: Path, module: str):
    """The modules a file imports, with the line of each import."""
    tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
    package = module.split(".") if file.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] + [node.module or ""]
                name = ".".join(part for part in base if part)
            else:
                name = node.module or ""
            yield name, node.lineno
            for alias in node.names:  # `from portal import lib` imports portal.lib
                yield f"{name}.{alias.name}", node.lineno
        elif isinstance(node, ast.Call) and _called(node) in RELATIONS and node.args:
            target = node.args[0]
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                label = target.value.partition(".")[0]
                if "." in target.value:
                    yield LABELS.get(label, label), -node.lineno  # negative: a relation


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def imports():
    """(from room, to room, file:line) for every import between two rooms."""
    for file in sorted(ROOT.glob("*/**/*.py")):
        rel = file.relative_to(ROOT)
        if SKIP & set(rel.parts):
            continue
        module = ".".join(rel.with_suffix("").parts)
        here = room_of(module)
        if here is None:
            continue
        for name, line in imported(file, module):
            there = room_of(name)
            if there is not None and there != here:
                yield here, there, f"{rel}:{abs(line)}", line < 0


def main() -> int:
    graph = defaultdict(set)
    wrong, known = set(), set()
    for here, there, where, relation in imports():
        if not relation:
            graph[here].add(there)
        if ORDER.index(there) > ORDER.index(here):
            line = f"  {here} -> {there}  ({where}{', a relation' if relation else ''})"
            (known if relation and (here, there) in KNOWN_RELATIONS else wrong).add(line)
    for here in ORDER:
        below = sorted(graph[here], key=ORDER.index)
        print(f"{here:<11} imports {', '.join(below) or 'no room'}")
    if known:
        print(f"\n{len(known)} relations named by a string point upwards, known (KNOWN_RELATIONS):")
        print("\n".join(sorted(known)))
    if wrong:
        print(f"\n{len(wrong)} imports or relations go upwards (the order is {' < '.join(ORDER)}):")
        print("\n".join(sorted(wrong)))
        return 1
    print(f"\nevery import goes downwards ({' < '.join(ORDER)}): no cycle between rooms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
