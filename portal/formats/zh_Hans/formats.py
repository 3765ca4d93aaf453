# Django's zh-hans input formats do not parse "2016年9月5日" (docs/quality.md): ours cover the
# spellings found in rosters and forms. Display formats stay Django's (2023年10月23日).
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2016-09-05
    "%Y/%m/%d",  # 2016/09/05
    "%Y.%m.%d",  # 2016.09.05
    "%Y%m%d",  # 20160905
    "%Y年%m月%d日",  # 2016年9月5日
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H时%M分",
]
FIRST_DAY_OF_WEEK = 1
