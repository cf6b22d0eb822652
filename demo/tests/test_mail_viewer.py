from email.message import EmailMessage

from django.urls import reverse


def test_the_mail_viewer_lists_and_shows_what_the_sink_stored(client, settings, tmp_path):
    settings.OCS_MAILSINK_DIR = tmp_path
    message = EmailMessage()
    message["Subject"] = "Oudergesprekken Groep 6: kies een tijd"
    message["From"] = "Basisschool De Regenboog via OCS <noreply@ocs.example.nl>"
    message["To"] = "piotr.elamrani@icloud.com"
    message.set_content("Beste ouder(s), kies een tijd.")
    (tmp_path / "20261130-120000-000000001.eml").write_bytes(message.as_bytes())

    listing = client.get(reverse("demo:mail_list"))
    assert "Oudergesprekken Groep 6: kies een tijd" in listing.content.decode()
    detail = client.get(reverse("demo:mail_detail", args=["20261130-120000-000000001"]))
    assert "Beste ouder(s), kies een tijd." in detail.content.decode()
    assert client.get(reverse("demo:mail_detail", args=["nothing-here"])).status_code == 404
