"""What the self-check services tell the apps above records, inside their transaction
(a receiver that fails rolls the change back).

confirmation_made: a student confirmed a record (正确); kwargs `confirmation` and
    `notice`, the records.campaign.CurrentNotice it was made under (or None).
discrepancy_reported: a student reported wrong fields (有误); kwargs `report` and
    `notice`, likewise.

The notices app links each to its notice (notices.links).

roster_imported: a roster import wrote its rows (not a dry run); kwarg `institution`.
    The notices app gives each class new to a published notice its 反馈表.
"""

from django.dispatch import Signal

confirmation_made = Signal()
discrepancy_reported = Signal()
roster_imported = Signal()
