"""What happens to a sign-up that others may want to mail about (specialgroups sends no
mail itself: it sits below the mail apps). Sent inside the transaction that made it."""

from django.dispatch import Signal

# special_group, parent: a parent on the waiting list got a place that freed up
member_promoted = Signal()
# special_group, draw: the lottery was drawn
lottery_drawn = Signal()
