"""Staff lists as sortable tables (django-tables2) in our own markup
(templates/components/_table.html): headers are plain links that sort, the page links keep
every filter. The queryset comes from the app's selector; a table only orders and pages it."""

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from django_tables2 import Table

PER_PAGE = 50


class DataTable(Table):
    """Our staff table: `?sort=name` or `?sort=-name` (an unknown column is ignored by the
    table, never an error), `?page=` (out of range: the nearest page)."""

    class Meta:
        template_name = "components/_table.html"
        order_by_field = "sort"
        page_field = "page"
        empty_text = _("暂无数据。")

    @classmethod
    def sortable(cls) -> set[str]:
        """The names `?sort=` accepts (with or without a leading "-")."""
        default = cls._meta.orderable
        return {
            name
            for name, column in cls.base_columns.items()
            if (default if column.orderable is None else column.orderable)
        }


def table_for(
    request, table: DataTable, *, per_page: int = PER_PAGE, page: int | str | None = None
) -> DataTable:
    """Order the table as the request asks and show the page it asks for (or `page`, for a
    list searched by POST). The page size is ours, never the request's."""
    table.request = request
    sort = [s for s in request.GET.getlist("sort") if s][:1]
    if sort:
        table.order_by = sort
    table.paginator = Paginator(table.rows, per_page)
    table.page = table.paginator.get_page(page if page is not None else request.GET.get("page"))
    return table


NUM = {"th": {"class": "num"}, "td": {"class": "num"}}
