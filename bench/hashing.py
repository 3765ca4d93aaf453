"""Password hash benchmark: `python -m bench.hashing [--checks 40]`.

What one log-in's password check costs with the portal's hasher (argon2id at OWASP's
floor, accounts/hashers.py) beside Django's default Argon2 hasher, measured in the same
run, interleaved round by round so that a drift in the machine's load hits both alike.
Target: the portal's check costs ≤ 0.35× Django's default (issue 17; docs/security.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench._util import Row, report

MODULE = "hashing"
TARGET = 0.35  # the portal's check / Django's default, at most
PASSWORD = "surge-Pass-2026!"


def time_checks(hasher, encoded: str, checks: int) -> list[float]:
    times = []
    for _ in range(checks):
        started = time.perf_counter()
        if not hasher.verify(PASSWORD, encoded):
            raise SystemExit(f"{type(hasher).__name__} failed to verify its own hash")
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=40, help="checks per hasher")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from accounts.hashers import Argon2idOwaspHasher

    ours, default = Argon2idOwaspHasher(), Argon2PasswordHasher()
    encoded = {h: h.encode(PASSWORD, h.salt()) for h in (ours, default)}
    times: dict = {ours: [], default: []}
    per_round = max(1, args.checks // args.rounds)
    for _ in range(args.rounds):
        for hasher in (default, ours):
            times[hasher] += time_checks(hasher, encoded[hasher], per_round)
    mine, theirs = statistics.median(times[ours]), statistics.median(times[default])
    share = mine / theirs
    for hasher, label in ((default, "Django's default"), (ours, "portal")):
        t = times[hasher]
        print(
            f"  {label:17} {statistics.median(t):7.1f} ms median, "
            f"{min(t):.1f}-{max(t):.1f} ms, {len(t)} checks"
        )
    note = (
        f"{share:.2f}× Django's default ({theirs:.0f} ms: m = 100 MiB, t = 2, p = 8); "
        f"target ≤ {TARGET}×; argon2id m = 19 MiB, t = 2, p = 1"
    )
    report(
        MODULE,
        [
            Row(MODULE, "password check (argon2id, OWASP floor)", mine, "ms", theirs,
                theirs / mine, None, 1 / TARGET, note),
        ],
    )  # fmt: skip
    if share > TARGET:
        raise SystemExit(f"the portal's hash costs {share:.2f}× Django's default (> {TARGET})")


if __name__ == "__main__":
    main()
