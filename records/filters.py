"""The filters of the staff's record lists (班级, 查询学籍): django-filter FilterSets over
the querysets of records.selectors. A value the form refuses (a college outside the scope,
a made-up cohort) filters nothing; the selector's scope still holds."""

from collections.abc import Callable

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from records.models import College
from records.selectors import (
    CheckState,
    PriorDegreeState,
    class_cohorts,
    class_matches,
    records_in_check_state,
)

# The <datalist> of class names and codes the class filter suggests
# (components/_filter_form.html).
SUGGESTIONS_ID = "class-suggestions"


def college_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("学院"), queryset=College.objects.none(), empty_label=_("全部学院"), **kwargs
    )


def class_filter(**kwargs) -> django_filters.CharFilter:
    """班号或班级: part of a class's name or code, with the visible classes suggested."""
    return django_filters.CharFilter(
        label=_("班号或班级"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": SUGGESTIONS_ID, "autocomplete": "off"}),
        **kwargs,
    )


def cohort_choices(user) -> list[tuple[int, str]]:
    return [(cohort, _("%(cohort)s级") % {"cohort": cohort}) for cohort in class_cohorts(user)]


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose 学院 are those of `user`'s scope."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["college"].queryset = College.objects.visible_to(user).order_by("code")


class ClassFilter(ScopedFilterSet):
    """班级: by college, cohort (年级) and class name or code."""

    college = college_filter()
    cohort = django_filters.ChoiceFilter(label=_("年级"), empty_label=_("全部年级"))
    school_class = class_filter(method="filter_class")

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, user=user, **kwargs)
        self.filters["cohort"].extra["choices"] = cohort_choices(user)

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(class_matches(value))


class RecordFilter(ScopedFilterSet):
    """查询学籍: by college, class, cohort (年级) and where the self-check stands."""

    college = college_filter()
    school_class = class_filter(method="filter_class")
    cohort = django_filters.ChoiceFilter(
        label=_("年级"), empty_label=_("全部年级"), field_name="admission_year"
    )
    state = django_filters.ChoiceFilter(
        label=_("校对状态"),
        empty_label=_("全部"),
        choices=CheckState.choices,
        method="filter_state",
    )

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, user=user, **kwargs)
        self.filters["cohort"].extra["choices"] = cohort_choices(user)

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(class_matches(value, prefix="school_class__"))

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return records_in_check_state(queryset, value)


class PriorDegreeFilter(ScopedFilterSet):
    """专升本: by college, class and where the prior 专科 degree stands."""

    college = college_filter()
    school_class = class_filter(method="filter_class")
    state = django_filters.ChoiceFilter(
        label=_("专科学历状态"),
        empty_label=_("全部"),
        choices=PriorDegreeState.choices,
        field_name="prior_state",
    )

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(class_matches(value, prefix="school_class__"))


def filter_words(filters, state: Callable[[str], str]) -> list[str]:
    """What narrows a staff list of students (学院, 班级, a state in `state`'s words), as
    its export's note says it: the 专升本 list here, the missing-diploma list in imaging."""
    if not filters.is_bound or not filters.form.is_valid():
        return []
    data = filters.form.cleaned_data
    words = []
    if data.get("college"):
        words.append(data["college"].name)
    if data.get("school_class"):
        words.append(_("班级：%(c)s") % {"c": data["school_class"]})
    if data.get("state"):
        words.append(state(data["state"]))
    return words


def prior_degree_filter_words(filters: PriorDegreeFilter) -> list[str]:
    """What narrows the 专升本 list, as its export's note says it."""
    return filter_words(
        filters, lambda value: _("专科学历：%(s)s") % {"s": PriorDegreeState(value).label}
    )
