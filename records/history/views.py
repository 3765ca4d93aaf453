"""我的学籍记录: the student's own page; no one else has one of it (records.history)."""

from django.shortcuts import render

from accounts.decorators import student_required
from records.history import selectors
from records.models import OnlineReport


@student_required
def record_history(request):
    """Who changed her records, when, what and why; who looked at or exported her data;
    who opened her online reports (the address masked). Only her own: every read is
    keyed by her account."""
    user = request.user
    changes, more_changes = selectors.record_changes(user)
    access_days, more_access = selectors.record_access(user)
    viewings, more_viewings = selectors.report_viewings(OnlineReport.objects.owned_by(user))
    context = {
        "changes": changes,
        "more_changes": more_changes,
        "access_days": access_days,
        "more_access": more_access,
        "viewings": viewings,
        "more_viewings": more_viewings,
        "limits": {
            "changes": selectors.CHANGES_LIMIT,
            "access": selectors.ACCESS_LIMIT,
            "viewings": selectors.VIEWINGS_LIMIT,
        },
    }
    return render(request, "records/history/record_history.html", context)
