"""Which room imports which: the imports between the portal's top-level packages.

    python scripts/rooms.py

Prints each room's imports and every import that goes against the one direction
(docs/architecture.md): a room imports only the rooms below it. Exits 1 if one does.
A strict order has no cycle. Imports inside functions count; migrations, tests,
benchmarks and scripts do not.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# From the bottom up: the infrastructure, the apps, the project shell.
ORDER = ["portal.lib", "accounts", "records", "imaging", "notices", "portal"]
SKIP = {"migrations", "tests", "bench", "scripts", ".venv"}


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
                yield here, there, f"{rel}:{line}"


def main() -> int:
    graph = defaultdict(set)
    wrong = []
    for here, there, where in imports():
        graph[here].add(there)
        if ORDER.index(there) > ORDER.index(here):
            wrong.append(f"  {here} -> {there}  ({where})")
    for here in ORDER:
        below = sorted(graph[here], key=ORDER.index)
        print(f"{here:<11} imports {', '.join(below) or 'no room'}")
    if wrong:
        print(f"\n{len(wrong)} imports go upwards (the order is {' < '.join(ORDER)}):")
        print("\n".join(sorted(set(wrong))))
        return 1
    print(f"\nevery import goes downwards ({' < '.join(ORDER)}): no cycle between rooms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
