"""The only way a view fetches a record or a class: through the user's scope.

Outside it the answer is 404, never 403, so that no one learns what exists.
Staff opening a person's full record is itself audited (docs/quality.md, PIPL).
"""

from django.shortcuts import get_object_or_404

from portal.lib.audit import log_access
from records.models import EnrollmentRecord, SchoolClass
from records.selectors import records_with_state


def record_for_read(request, pk: int) -> EnrollmentRecord:
    """The record with its state (records_with_state), for its badge."""
    records = records_with_state(EnrollmentRecord.objects.visible_to(request.user).with_related())
    record = get_object_or_404(records, pk=pk)
    if record.user_id != request.user.pk:
        log_access(request.user, "records.viewed", record, students=[record], request=request)
    return record


def class_for_read(request, pk: int) -> SchoolClass:
    queryset = SchoolClass.objects.visible_to(request.user).select_related("college", "major")
    return get_object_or_404(queryset, pk=pk)
