"""What `schools` announces to the apps above it, so that it imports none of them."""

from django.dispatch import Signal

# A beheerder confirmed an import; sent inside the request, with `request`, `batch` (the
# ImportBatch) and `summary` (the counts of import_summary). The audit log records it.
import_applied = Signal()

# A beheerder undid an import ("Import ongedaan maken"); sent inside the request, with
# `request`, `batch` and `summary` (how many changes were put back and how many later edits
# of the school stayed). The audit log records it.
import_undone = Signal()
