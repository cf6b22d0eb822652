from django.apps import apps
from django.db import models
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from schools.models import Guardianship, Parent, Pupil

SECRET_BITS = [
    "Zwaantje",
    "Knoopsgat",
    "zwaantje.knoopsgat@example.nl",
    "0612349876",
    "Ooievaarsnest",
]


def all_text_in_the_database() -> str:
    """Every text and JSON value of every table, concatenated."""
    chunks = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for values in model._base_manager.values_list(*fields):
                chunks.append(" ".join(str(v) for v in values))
    return "\n".join(chunks)


def test_deleting_a_parent_leaves_nothing_of_them_but_an_audit_entry_with_ids(
    client, world, login, make_parent
):
    ruth = make_parent(
        world.school,
        "zwaantje.knoopsgat@example.nl",
        pupils=[world.sam],
        first_name="Zwaantje",
        last_name="Knoopsgat",
        phone="0612349876",
        street="Ooievaarsnest",
    )
    # She logged in once: the login throttle remembers the address.
    client.post(
        reverse("accounts:parent_login"),
        {"username": "zwaantje.knoopsgat@example.nl", "password": "wrong-password"},
    )
    client.logout()
    assert any(bit in all_text_in_the_database() for bit in SECRET_BITS)
    ruth_pk, user_pk = ruth.pk, ruth.user_id
    login(world.anna)
    response = client.post(reverse("parents:parent_delete", args=[ruth.public_id]))
    assert response.status_code == 302
    assert not Parent.objects.filter(pk=ruth_pk).exists()
    assert not User.objects.filter(pk=user_pk).exists()
    assert not Guardianship.objects.filter(parent_id=ruth_pk).exists()
    text = all_text_in_the_database()
    for bit in SECRET_BITS:
        assert bit.lower() not in text.lower(), bit
    event = AuditEvent.objects.get(action="delete")
    assert event.object_type == "parent" and event.object_id == str(ruth_pk)
    assert event.detail == {"pupil_ids": [world.sam.pk]}
    assert "anna@linde.test" in event.actor_label  # who deleted whom
    # Sam stays with his other parents
    assert set(Pupil.objects.get(pk=world.sam.pk).parents.all()) == {world.petra, world.quinten}


def test_a_deleted_parent_who_is_also_staff_keeps_their_staff_login(
    client, world, login, make_parent
):
    Parent.objects.create(
        school=world.school, user=world.bram.user, first_name="Bram", last_name="Docent"
    )
    parent = Parent.objects.get(user=world.bram.user)
    Guardianship.objects.create(parent=parent, pupil=world.sam)
    login(world.bea)
    client.post(reverse("parents:parent_delete", args=[parent.public_id]))
    assert not Parent.objects.filter(pk=parent.pk).exists()
    assert User.objects.filter(pk=world.bram.user_id).exists()


def test_a_child_left_without_a_parent_is_shown_as_such(client, world, login):
    login(world.anna)
    confirm = client.get(reverse("parents:parent_delete", args=[world.petra.public_id]))
    assert "heeft daarna geen ouder meer" not in confirm.text  # Quinten is still there
    client.post(reverse("parents:parent_delete", args=[world.petra.public_id]))
    confirm = client.get(reverse("parents:parent_delete", args=[world.quinten.public_id]))
    assert "heeft daarna geen ouder meer in OCS" in confirm.text
    client.post(reverse("parents:parent_delete", args=[world.quinten.public_id]))
    page = client.get(reverse("parents:group_detail", args=[world.g3.public_id]))
    assert "Leerlingen zonder ouder" in page.text and "Sam Jansen" in page.text
    assert Pupil.objects.filter(pk=world.sam.pk).exists()


def test_the_bin_asks_for_confirmation_before_deleting(client, world, login):
    login(world.anna)
    page = client.get(reverse("parents:parent_delete", args=[world.petra.public_id]))
    assert "Petra Jansen verwijderen?" in page.text and "Ja, verwijderen" in page.text
    assert Parent.objects.filter(pk=world.petra.pk).exists()
