"""The filters of the staff's photo lists (照片有误, 学历照片未确认的毕业生), in the shape
of records.filters: 学院 (全部学院), class name or code (suggested), and the photo's kind or
state."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from imaging.models import PhotoKind, PhotoState
from imaging.selectors import graduates_without_confirmed_diploma
from records.filters import ScopedFilterSet, class_filter, college_filter, filter_words
from records.selectors import class_matches

# What a graduate's 学历照片 can be while it is not confirmed (graduates_without_confirmed_diploma).
NO_PHOTO = "none"
DIPLOMA_STATES = [
    (NO_PHOTO, _("无照片")),
    (PhotoState.UNVERIFIED, PhotoState.UNVERIFIED.label),
    (PhotoState.DISPUTED, PhotoState.DISPUTED.label),
]


def diploma_label(state: str | None) -> str:
    return str(dict(DIPLOMA_STATES).get(state or NO_PHOTO, state))


class DisputeFilter(ScopedFilterSet):
    """照片有误: by the student's college and class, and the kind of photo."""

    college = college_filter(field_name="record__college")
    school_class = class_filter(method="filter_class")
    kind = django_filters.ChoiceFilter(
        label=_("照片类型"), empty_label=_("全部"), choices=PhotoKind.choices
    )

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(class_matches(value, prefix="record__school_class__"))


class MissingDiplomaFilter(ScopedFilterSet):
    """学历照片未确认的毕业生: by college, class and the state of the 学历照片."""

    college = college_filter()
    school_class = class_filter(method="filter_class")
    state = django_filters.ChoiceFilter(
        label=_("学历照片"), empty_label=_("全部"), choices=DIPLOMA_STATES, method="filter_state"
    )

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(class_matches(value, prefix="school_class__"))

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NO_PHOTO:
            return queryset.filter(diploma_state__isnull=True)
        return queryset.filter(diploma_state=value)


def missing_diploma_filters(user, year: int, data) -> MissingDiplomaFilter:
    """学历照片未确认的毕业生 of one year (届) in `user`'s scope, as `data` (college, class,
    state) narrows them: the page, its export and its reminders list the same students."""
    graduates = graduates_without_confirmed_diploma(user, year=year)
    return MissingDiplomaFilter(data, graduates, user=user)


def missing_diploma_params(data) -> dict[str, str]:
    """The filters of the missing-diploma list in `data`, to carry to its reminders."""
    return {name: data[name] for name in MissingDiplomaFilter.base_filters if data.get(name)}


def missing_diploma_filter_words(filters: MissingDiplomaFilter) -> list[str]:
    """What narrows the list, as an export's note says it (学院, 班级, 学历照片 state)."""
    return filter_words(filters, lambda value: _("学历照片：%(s)s") % {"s": diploma_label(value)})
