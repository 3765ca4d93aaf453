"""Demo data (演示数据) for `manage.py seed_demo`: a fictional university part-way through
its checks, so that every page of the portal has something real to show.

Two steps. `demo_plan` decides every person, number and state from the seed alone (pure:
one seed always gives the same names, ID numbers, usernames and photo tokens), and
`demo_build` writes the plan in one transaction with bulk inserts. Only the demo log-ins
get a real password, hashed once (docs/quality.md: never hash passwords in bulk); every other
account has an unusable one, as an imported student would before registering.

Where each part lives:
- `constants.py`: the institution, sizes, colleges, majors, rare names, account states and
  their cards, the seats of the demo log-ins;
- `classes.py`: the planned classes, their sizes and special seats;
- `names.py`: a student's name, birth date, origin, study form and phone, and the items a
  student reports as wrong;
- `plan.py`: `demo_plan` and the plan's dataclasses (students, accounts, reports, photos,
  staff);
- `write.py`: `demo_build`, `DemoResult` and the writing of the plan;
- `photos.py`: photo rows, image collection units and the drawn portraits (`portrait_jpeg`);
- `notices.py`: the demo notices and feedback sheets;
- `logins.py`: `DEMO_LOGINS`, `demo_logins` and `format_logins`.
"""

from portal.demo.constants import (
    DEFAULT_SEED,
    DEFAULT_STUDENTS,
    INSTITUTION_CODE,
    INSTITUTION_NAME,
    MAX_STUDENTS,
    OLD_ACCOUNT_USERNAME,
    RARE_NAMES,
)
from portal.demo.logins import DEMO_LOGINS, format_logins
from portal.demo.photos import portrait_jpeg
from portal.demo.plan import DemoError, demo_plan
from portal.demo.write import demo_build

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_STUDENTS",
    "DEMO_LOGINS",
    "INSTITUTION_CODE",
    "INSTITUTION_NAME",
    "MAX_STUDENTS",
    "OLD_ACCOUNT_USERNAME",
    "RARE_NAMES",
    "DemoError",
    "demo_build",
    "demo_plan",
    "format_logins",
    "portrait_jpeg",
]
