from django.db import transaction

from schools.models import Parent, StaffMember


@transaction.atomic
def parent_set_blocked(*, parent: Parent, blocked: bool) -> None:
    """Block or unblock a parent. Blocking ends all their sessions at once."""
    parent.is_blocked = blocked
    parent.save(update_fields=["is_blocked"])
    # The access helpers refuse a blocked record at the next request. A person who has no
    # other role left is logged out everywhere; one who is also parent or staff elsewhere
    # keeps their session for those (another school must not be able to log them out).
    if blocked and parent.user_id is not None:
        other_roles = (
            Parent.objects.filter(user_id=parent.user_id, is_blocked=False).exists()
            or StaffMember.objects.filter(user_id=parent.user_id, is_active=True).exists()
        )
        if not other_roles:
            parent.user.end_all_sessions()
