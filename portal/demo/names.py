"""Who a demo student is, drawn from the seed: name, birth date, origin and ethnicity, study
form, phone number, and the items a student reports as wrong on the record (姓名, 民族,
生源省市)."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from portal.demo.classes import PlannedClass
from portal.demo.constants import MONITOR, TAKEN_ID
from records.codes import ETHNIC_GROUPS, province_name
from records.models import Category, Level, StudyForm
from records.regions import region_name

if TYPE_CHECKING:
    from portal.demo.plan import PlannedStudent


# Surnames by rough frequency (most common first), as weight → characters.
_SURNAME_TIERS = (
    (70, "王李张"),
    (50, "刘陈"),
    (30, "杨"),
    (20, "黄赵吴周"),
    (14, "徐孙马朱胡郭何高林"),
    (8, "罗郑梁谢宋唐许韩冯邓曹彭曾肖田熊"),
    (4, "董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟秦邱江"),
    (3, "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严赖涂饶聂温"),
)
_SURNAMES = [s for _, chars in _SURNAME_TIERS for s in chars] + ["欧阳", "上官"]
_SURNAME_WEIGHTS = [w for w, chars in _SURNAME_TIERS for _ in chars] + [2, 1]
_MALE_CHARS = (
    "伟强磊军勇杰涛明超斌鹏辉华俊峰浩宇轩豪博文睿泽航晨阳鸣远佑嘉诚志"
    "凯瑞乐建宏毅成鑫龙飞翔宁康昊天逸帆哲彬锐"
)
_FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪慧琳欣怡涵诗雨萱佳悦思可馨语彤晓梅兰颖婧瑶洁倩蕾薇月菲琪妍"
_SHARED_CHARS = "子文思一晓嘉雨宇欣佳安"

# A rare character and the common one an old system wrote instead (for 姓名 reports).
_RARE_SUBSTITUTES = (
    ("䶮", "岩"), ("喆", "哲"), ("堃", "坤"), ("犇", "奔"), ("淼", "森"), ("𠮷", "吉"),
)  # fmt: skip

# Province → weight, GB/T 2260 district codes, ethnic groups (GB 3304) common there.
_ORIGINS = (
    ("36", 68, "360102 360103 360111 360121 360203 360302 360402 360502 360702 360802 "
     "360902 361002 361102", "22"),
    ("43", 6, "430102 430103 430202 430302 433101", "15 06"),
    ("44", 4, "440103 440104 440303 441402", ""),
    ("35", 4, "350102 350203 350802", "22"),
    ("33", 3, "330102 330106 330302", "22"),
    ("34", 3, "340102 340103 341802", ""),
    ("41", 3, "410102 410103 410302", "03"),
    ("42", 3, "420102 420106 420502", "15"),
    ("45", 3, "450102 450103 451002", "08 13"),
    ("52", 2, "520102 520103 522601", "06 09 12"),
    ("53", 1, "530102 530702", "27 07 14"),
)  # fmt: skip
_MINORITY_SHARE = {"45": 0.4, "52": 0.4, "53": 0.4, "43": 0.1, "42": 0.06, "41": 0.05}
_ETHNIC_NAMES = dict(ETHNIC_GROUPS)
_PHONE_PREFIXES = ("139", "138", "137", "150", "158", "177", "186", "189", "199")


def _random_name(rng: random.Random, special: str = "") -> tuple[str, str, str]:
    sex = "2" if special == MONITOR else rng.choice("12")
    surname = "张" if special == TAKEN_ID else rng.choices(_SURNAMES, _SURNAME_WEIGHTS)[0]
    own = _MALE_CHARS if sex == "1" else _FEMALE_CHARS
    if rng.random() < 0.2:
        return surname, rng.choice(own), sex
    return surname, rng.choice(own + _SHARED_CHARS) + rng.choice(own), sex


def _birth(rng: random.Random, admission: int) -> datetime.date:
    # About 18 at the September intake: most born 17 to 19 years before it.
    offset = int(rng.triangular(-420, 300, -60))
    return datetime.date(admission - 18, 9, 1) + datetime.timedelta(days=offset)


def _origin(rng: random.Random) -> tuple[str, str, str]:
    """(region of the ID number, 生源省市 in the same province, ethnicity code)."""
    province, _, districts, groups = rng.choices(_ORIGINS, [o[1] for o in _ORIGINS])[0]
    districts = districts.split()
    region = rng.choice(districts)
    origin = region if rng.random() < 0.8 else rng.choice(districts)
    ethnicity = "01"
    if groups and rng.random() < _MINORITY_SHARE.get(province, 0.02):
        ethnicity = rng.choice(groups.split())
    elif rng.random() < 0.01:
        ethnicity = rng.choice(("03", "11", "10"))
    return region, origin, ethnicity


def _study_form(rng: random.Random, spec: PlannedClass) -> tuple[str, str]:
    # A few 2023级 专科 students came in through 高职扩招 and study part-time.
    if not spec.graduating and spec.major.level == Level.JUNIOR_COLLEGE and rng.random() < 0.04:
        return StudyForm.PART_TIME, Category.REGULAR
    return StudyForm.REGULAR_FULL_TIME, Category.REGULAR


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10**8):08d}"


_Item = tuple[tuple[str, str, str], str]  # (field, on record, claimed), explanation


def _ethnicity_item(rng: random.Random, person: PlannedStudent, accepted: bool) -> _Item:
    current = person.ethnicity
    claimed = rng.choice([code for code in ("22", "15", "06", "03") if code != current])
    if accepted:
        person.ethnicity = claimed
    names = _ETHNIC_NAMES[current], _ETHNIC_NAMES[claimed]
    reason = f"户口本上登记的民族为{names[1]}，学籍中为{names[0]}。"
    return ("ethnicity", *names), reason


def _origin_item(rng: random.Random, person: PlannedStudent, accepted: bool) -> _Item:
    current = region_name(person.origin_region)
    others = [o for o in _ORIGINS if o[0] != person.origin_region[:2]]
    region = rng.choice(rng.choice(others)[2].split())
    claimed = region_name(region)
    if accepted:
        person.origin_region = region
    reason = f"高考在{province_name(region)}报名，生源省市应为{claimed}。"
    return ("origin_region", current, claimed), reason


def _name_item(rng: random.Random, person: PlannedStudent, accepted: bool) -> _Item:
    # The record lost a rare character: an old system wrote a common one instead.
    rare, common = rng.choice(_RARE_SUBSTITUTES)
    wrong, right = person.surname + common, person.surname + rare
    person.name = right if accepted else wrong
    reason = f"姓名中的“{rare}”字在学籍中被写成了“{common}”，附户口本页。"
    return ("name", wrong, right), reason
