import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from articles.absolute_urls import base_url


@functools.cache
def site_links() -> dict:
    """The addresses every public page links to, worked out once per process
    (reversing and looking up hashed static names on every page adds up)."""
    return {
        "home": reverse("articles:home"),
        "policy": reverse("articles:editorial_policy"),
        "search": reverse("articles:search"),
        "corrections": reverse("articles:corrections"),
        "suggest": reverse("articles:suggest"),
        "feed": reverse("articles:feed"),
        "atom": reverse("articles:feed_atom"),
        "css": static("css/site.css"),
        "print_css": static("css/print.css"),
        "suggest_js": static("js/suggest.js"),
        "favicon": static("img/favicon.svg"),
        "og_image": static("img/og-default.png"),
        "feedback_js": static("js/feedback.js"),
    }


def site_settings(request) -> dict:
    """The site's name, editorial settings, public origin and links, for every
    template."""
    return {
        "health_site": settings.HEALTH_SITE,
        "base_url": base_url(),
        "links": site_links(),
    }
