"""Two admin URLs Django gives every staff user, narrowed.

- Logging out also has the browser forget what it kept for the person
  leaving: the editor's autosaved drafts (static/editorial/editor/drafts.js).
  The response carries `Clear-Site-Data: "storage"`, which Chromium, Firefox
  and Safari honour on secure origins (https, and http://localhost); the
  logged-out page's module removes the drafts where it is not honoured.
- "View on site" (/admin/r/<type>/<id>/) redirects to an object's address,
  which for a draft is its slug and for a preview link its signed token.
  Django answers it for any object to any staff user; here only for an
  object the user may view in the admin.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404

# The admin's logged-out page, with the module that forgets the drafts.
LOGGED_OUT_TEMPLATE = "admin/logged_out.html"


def logout(request):
    """The admin's log-out (a POST), asking the browser to clear the site's
    storage as well."""
    response = admin.site.admin_view(admin.site.logout)(request)
    if request.method == "POST":
        response["Clear-Site-Data"] = '"storage"'
    return response


def view_on_site(request, content_type_id, object_id):
    """Django's "view on site" redirect, for an object the user may view
    through its model's admin (404 for any other, as for a missing one)."""
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404 from None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return shortcut(request, content_type_id, object_id)
