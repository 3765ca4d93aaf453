"""Public notice pages."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from notices.models import Notice


def notice_list(request):
    notices = Notice.objects.visible_to(request.user).select_related("institution")
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    return render(request, "notices/notice_list.html", {"page": page})


def notice_detail(request, pk: int):
    queryset = Notice.objects.visible_to(request.user).select_related("institution")
    notice = get_object_or_404(queryset.prefetch_related("attachments", "audience"), pk=pk)
    return render(request, "notices/notice_detail.html", {"notice": notice})
