from django.db import transaction

from schools.models import Parent


@transaction.atomic
def parent_set_blocked(*, parent: Parent, blocked: bool) -> None:
    """Block or unblock a parent. Blocking ends all their sessions at once."""
    parent.is_blocked = blocked
    parent.save(update_fields=["is_blocked"])
    if blocked and parent.user_id is not None:
        parent.user.end_all_sessions()
