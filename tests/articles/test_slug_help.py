"""Small things on the desk that got in the way of a day's work."""

from django.urls import reverse


def test_the_slug_help_shows_a_whole_address(client, writer):
    """The admin writes help texts as HTML: "/articles/<slug>/" read as
    "/articles//". The help now shows an example address, whole."""
    client.force_login(writer)
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "/articles/cervical-mucus-fertile-window/" in html
    assert "/articles//" not in html
