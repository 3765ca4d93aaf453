"""Photo batch benchmark: `python -m bench.photo_batch [--photos 2000]`.

Generates `--photos` JPEGs of the kind a collection unit delivers (600×800 portraits,
every 10th shot sideways with an EXIF orientation, every 25th a 1200×1600 scan), named by
ID number or 考生号 in folders, plus the usual junk (__MACOSX, Thumbs.db), zips them
into bench/out/ (git-ignored) and creates the matching records in a fresh SQLite
database there. Then it times, each step in a fresh process so that its peak memory
(max RSS) is its own:

- the ceiling: a bare Pillow loop over the same zip entries (decode at reduced scale,
  EXIF transpose, RGB, fit into 480×640, JPEG q88, 120 px thumbnail), no checks, no
  database, no storage; run before and after the imports, the mean of the two counts;
- photo_batch_import: the first import (every photo added), then the same zip again
  (every photo unchanged: nothing is decoded).

Figures are photos per second and their ratio to the ceiling measured in the same run
(docs/quality.md: these machines are shared and noisy, only ratios count).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from bench._util import Row, child_step, own_peak_mb, report

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
STEPS = ("pillow", "import", "re-import")
# The ceiling is measured before and after the import; its mean is what counts.
ORDER = ("pillow", "import", "re-import", "pillow")
LABELS = {
    "pillow": "bare Pillow loop (ceiling)",
    "import": "photo_batch_import (all new)",
    "re-import": "photo_batch_import again (unchanged)",
}
TARGET = 0.5  # the import should keep at least half the bare loop's pace


# --- The delivery ----------------------------------------------------------------------


def _portrait(rng: random.Random, size: tuple[int, int]):
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    background = tuple(rng.randrange(150, 255) for _ in range(3))
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    skin = (rng.randrange(200, 250), rng.randrange(170, 215), rng.randrange(140, 190))
    draw.ellipse((width * 0.3, height * 0.15, width * 0.7, height * 0.6), fill=skin)
    draw.rectangle((width * 0.15, height * 0.62, width * 0.85, height), fill=(30, 30, 60))
    noise = Image.effect_noise(size, 12).convert("RGB")
    return Image.blend(image, noise, 0.08).filter(ImageFilter.SMOOTH)


def _jpeg(rng: random.Random, n: int) -> bytes:
    from PIL import Image

    big = n % 25 == 0
    sideways = n % 10 == 0
    size = (1200, 1600) if big else (600, 800)
    image = _portrait(rng, size)
    options = {"quality": 90}
    if sideways:  # the camera was turned: pixels stored landscape, EXIF says rotate
        image = image.transpose(Image.Transpose.ROTATE_90)
        exif = Image.Exif()
        exif[0x0112] = 6
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def people(count: int) -> list[tuple[str, str]]:
    """(ID number, 考生号) of each student, the same every run."""
    from portal.lib import idnumbers

    rng = random.Random(2026)
    found = []
    for n in range(count):
        birth = datetime.date(2003, 1, 1) + datetime.timedelta(days=n % 1500)
        number = idnumbers.generate(rng=rng, region="360102", birth=birth, sex="12"[n % 2])
        found.append((number, f"23360102{n:06d}"))
    return found


def generate(path: Path, count: int) -> None:
    rng = random.Random(11)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (id_number, examinee) in enumerate(people(count)):
            folder = f"2023级/学院{n % 10}"
            key = id_number.lower() if n % 2 else examinee  # as delivered: either name
            archive.writestr(f"{folder}/{key}.jpg", _jpeg(rng, n))
            if n % 100 == 0:
                archive.writestr(f"__MACOSX/{folder}/._{key}.jpg", b"\x00\x05\x16\x07" * 8)
        archive.writestr("2023级/Thumbs.db", b"\x00" * 512)


def seed_records(count: int) -> None:
    from records.models import (
        College,
        EnrollmentRecord,
        Institution,
        Major,
        SchoolClass,
    )

    institution = Institution.objects.create(code="13999", name="示例职业大学", province="360000")
    college = College.objects.create(institution=institution, code="LG", name="理工学院")
    major = Major.objects.create(
        institution=institution, name="软件技术", level="junior_college", duration=3
    )
    klass = SchoolClass.objects.create(
        institution=institution,
        college=college,
        major=major,
        code="2023",
        name="2023级",
        cohort=2023,
    )
    rows = [
        EnrollmentRecord(
            institution=institution, examinee_number=examinee, student_number=f"2023{n:06d}",
            name=f"学生{n}", sex="12"[n % 2], birth_date=datetime.date(2003, 1, 1),
            id_number=id_number, ethnicity="01", origin_region="360102", major=major,
            duration=3, level="junior_college", admission_year=2023,
            study_form="regular_full_time", category="regular", college=college,
            school_class=klass, entry_date=datetime.date(2023, 9, 1),
            expected_graduation=datetime.date(2026, 7, 1),
        )
        for n, (id_number, examinee) in enumerate(people(count))
    ]  # fmt: skip
    EnrollmentRecord.objects.bulk_create(rows, batch_size=1000)


# --- One step, in its own process ------------------------------------------------------


def _bare_pillow(path: Path) -> int:
    from PIL import Image, ImageOps

    done = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".jpg") or "__MACOSX" in info.filename:
                continue
            image = Image.open(io.BytesIO(archive.read(info)))
            image.draft(None, (640, 640))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((480, 640), Image.Resampling.LANCZOS)
            image.save(io.BytesIO(), "JPEG", quality=88)
            height = round(image.height * 120 / image.width)
            image.resize((120, height), Image.Resampling.LANCZOS).save(
                io.BytesIO(), "JPEG", quality=85
            )
            done += 1
    return done


def run_step(step: str, path: Path, media: Path) -> dict:
    import django

    django.setup()
    from django.test import override_settings

    started = time.perf_counter()
    if step == "pillow":
        photos = _bare_pillow(path)
        detail = f"{photos} photos"
    else:
        from imaging.batches import photo_batch_import
        from records.models import Institution

        storage = {
            "BACKEND": "portal.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(media)},
        }
        with override_settings(STORAGES={"default": storage, "staticfiles": storage}):
            batch = photo_batch_import(
                archive=path,
                kind="enrollment",
                institution=Institution.objects.get(),
                source="bench",
            )
        counts = {k: v for k, v in batch.counts.items() if v}
        photos = counts.get("added", 0) + counts.get("replaced", 0) + counts.get("unchanged", 0)
        detail = ", ".join(f"{k} {v}" for k, v in counts.items())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "photos": photos, "peak_mb": own_peak_mb(), "detail": detail}


def _child(step: str, path: Path, media: Path, env: dict) -> dict:
    return child_step("bench.photo_batch", step, env, file=path, media=media)


# --- The run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--media", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    if args.step:
        print(json.dumps(run_step(args.step, args.file, args.media)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    database, media = OUT / "photo_batch.sqlite3", OUT / "photo_batch_media"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(media, ignore_errors=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    env = dict(os.environ)
    path = OUT / f"photos-{args.photos}.zip"
    started = time.perf_counter()
    if not path.exists():
        generate(path, args.photos)
    print(f"delivery: {args.photos:,} JPEGs, {path.stat().st_size / 2**20:.1f} MB zipped "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    import django

    django.setup()
    seed_records(args.photos)
    runs = [(step, _child(step, path, media, env)) for step in ORDER]
    results = {step: result for step, result in runs if step != "pillow"}
    ceilings = [result for step, result in runs if step == "pillow"]
    results = {"pillow": _mean(ceilings), **results}
    _print(results)
    _report(results)


def _mean(runs: list[dict]) -> dict:
    seconds = sum(run["seconds"] for run in runs) / len(runs)
    spread = ", ".join(f"{run['seconds']:.2f} s" for run in runs)
    return {
        "seconds": seconds,
        "photos": runs[0]["photos"],
        "peak_mb": max(run["peak_mb"] for run in runs),
        "detail": f"{runs[0]['detail']}; runs: {spread}",
    }


def _print(results: dict) -> None:
    ceiling = results["pillow"]["photos"] / results["pillow"]["seconds"]
    print("\nratio = photos/s ÷ bare Pillow photos/s (higher is better; the import adds checks,")
    print("hashing, storage, database rows and an audit entry per photo)\n")
    print(f"{'step':38} {'seconds':>8} {'photos/s':>9} {'ratio':>6} {'peak RSS MB':>12}  detail")
    for step, result in results.items():
        rate = result["photos"] / result["seconds"]
        print(
            f"{LABELS[step]:38} {result['seconds']:8.2f} {rate:9.1f} {rate / ceiling:6.2f} "
            f"{result['peak_mb']:12.0f}  {result['detail']}"
        )


def _report(results: dict) -> None:
    """Keep the figures for `bench.run` (bench/_util.report)."""
    ceiling = results["pillow"]["photos"] / results["pillow"]["seconds"]
    rows = []
    for step in ("import", "re-import"):
        rate = results[step]["photos"] / results[step]["seconds"]
        rows.append(
            Row(
                module="photo_batch", figure=LABELS[step], value=rate, unit="photos/s",
                ceiling=ceiling, ratio=rate / ceiling, peak_mb=results[step]["peak_mb"],
                target=TARGET if step == "import" else None, note=results[step]["detail"],
            )
        )  # fmt: skip
    print()
    report("photo_batch", rows)


if __name__ == "__main__":
    main()
