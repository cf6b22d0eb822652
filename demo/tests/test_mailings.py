from io import StringIO

from django.core.management import call_command

from mailings.models import Answer, Mailing
from mailings.questions import question_tally


def test_the_demo_has_a_mailing_with_a_question_mostly_answered_once(db, client):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    mailing = Mailing.objects.select_related("question").get(
        subject="Schoolreis naar het speelpark"
    )
    tally = question_tally(mailing=mailing)
    answered, total = tally.answered, len(tally.children)
    assert 0 < answered < total and tally.open
    assert Answer.objects.count() == answered
    # The demo parents' own children are still waiting for their answer.
    waiting = " ".join(r.name for r in tally.unanswered)
    assert "Daan El Amrani" in waiting and "Daniël El Amrani" in waiting
    # The teacher's status page shows the figures.
    from schools.models import StaffMember

    anita = StaffMember.objects.get(email="anita.kuipers@school1.example.nl")
    client.force_login(anita.user, backend="accounts.backends.EmailBackend")
    page = client.get(f"/oudermailing/verzonden/{mailing.public_id}/").content.decode()
    assert f"{answered} van {total} kinderen beantwoord" in page
    assert "Gelezen door" in page and "Herinnering sturen" in page
