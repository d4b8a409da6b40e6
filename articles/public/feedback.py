"""The readers' "Is this page useful?" and "Report a problem" form.

The article page is one cached copy for everyone, so the form carries nothing
per reader: no cookie, no CSRF token, only the content hash of the revision
on the page. This endpoint is never cached. It answers a plain form post with
a page (the thank-you page, or the report form after "No", or the form again
with its errors and the reader's text), and the page's ES module
(static/js/feedback.js) with JSON. Posts are guarded without a session
(feedback_guard.py): by their Origin or Referer, their size, a honeypot field
and rate limits per hashed address.

Nothing about the reader is stored: no address, user agent or cookie.
"""

import functools
import re

from django import forms
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from articles import reader_reports
from articles.models import Article, ReaderReport, Revision
from articles.models.feedback import QUOTE_LIMIT, TEXT_LIMIT
from articles.public import feedback_guard
from articles.text import single_line

HONEYPOT = "website"
HASH = re.compile(r"[0-9a-f]{64}")


class VoteForm(forms.Form):
    useful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("What was wrong?"),
        choices=ReaderReport.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what was wrong.")},
    )
    quote = forms.CharField(
        label=gettext_lazy("The text you mean (optional)"),
        required=False,
        max_length=QUOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    text = forms.CharField(
        label=gettext_lazy("Tell us more (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your email, only if you want a reply (optional)"),
        required=False,
        max_length=254,
    )

    def clean_quote(self) -> str:
        return single_line(self.cleaned_data["quote"])


def blank_report_fields():
    """The report form's fields as every article page shows them, empty:
    the same for every page and reader, so rendered once per process and
    language (Django's form rendering took a third of the article page)."""
    return _blank_report_fields(get_language())


@functools.cache
def _blank_report_fields(language: str):
    return render_to_string(
        "articles/includes/feedback_fields.html",
        {"form": ReportForm(), "prefix": "feedback-"},
    )


def _revision(article: Article, content_hash: str) -> Revision:
    """The revision the reader read: the one the page's hash names, else the
    live one."""
    if HASH.fullmatch(content_hash):
        found = (
            Revision.objects.filter(article=article, content_hash=content_hash)
            .order_by("-number")
            .first()
        )
        if found is not None:
            return found
    return article.live_revision


def _answer(request, wants_json: bool, status: int, context: dict):
    """The JSON for the page's module, or the plain page for a form post."""
    if wants_json:
        form = context.get("form")
        response = JsonResponse(
            {
                "ok": status == 200,
                "step": context.get("step", ""),
                "message": str(context.get("message", "")),
                "errors": {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
                if form is not None
                else {},
            },
            status=status,
        )
    else:
        response = render(request, "articles/feedback.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _refuse(request, wants_json: bool, status: int, message: str, article=None):
    response = _answer(
        request,
        wants_json,
        status,
        {"step": "refused", "message": message, "article": article},
    )
    if status == 429:
        response["Retry-After"] = str(reader_reports.setting("ADDRESS_WINDOW_SECONDS"))
    return response


@csrf_exempt
def feedback(request, slug):
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method in ("GET", "HEAD"):
        response = HttpResponseRedirect(
            reverse("articles:detail", args=[slug]) + "#feedback"
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
    if request.method != "POST":
        return _refuse(
            request, wants_json, 405, _("Send the form on the article's page.")
        )
    if feedback_guard.too_big(request):
        return _refuse(
            request,
            wants_json,
            413,
            _(
                "Your message is too long for us to read. Please keep it under "
                "%(limit)s characters and send it again."
            )
            % {"limit": f"{TEXT_LIMIT:,}"},
        )
    if not feedback_guard.from_our_page(request):
        return _refuse(
            request,
            wants_json,
            403,
            _(
                "We could not tell that this came from our page. Please use "
                "the form at the end of the article."
            ),
        )
    article = (
        Article.objects.live()
        .select_related("live_revision")
        .only("pk", "slug", "title", "live_revision")
        .filter(slug=slug)
        .first()
    )
    if article is None:
        return _refuse(request, wants_json, 404, _("This page is no longer published."))
    if not feedback_guard.allowed(request, article.pk, "useful" not in request.POST):
        return _refuse(
            request,
            wants_json,
            429,
            _(
                "We have had a lot of feedback from your connection in a short "
                "time. Please try again in a few minutes."
            ),
            article,
        )
    context = {"article": article, "revision_hash": request.POST.get("revision", "")}
    if request.POST.get(HONEYPOT):
        # Filled in by a program, not a person: thank it, keep nothing.
        return _answer(request, wants_json, 200, {**context, "step": "thanks"})
    if "useful" in request.POST:
        return _vote(request, wants_json, article, context)
    return _report(request, wants_json, article, context)


# A NUL byte is refused by the field it is in (Django's form fields refuse
# it), with the reader's text kept, not by RejectMalformedRequestMiddleware.
feedback.refuses_nul_by_field = True


def _vote(request, wants_json, article, context):
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            wants_json,
            400,
            {**context, "step": "refused", "message": _("Answer Yes or No.")},
        )
    useful = form.cleaned_data["useful"] == "yes"
    reader_reports.count_vote(article.pk, useful)
    if useful:
        return _answer(request, wants_json, 200, {**context, "step": "thanks"})
    return _answer(
        request,
        wants_json,
        200,
        {**context, "step": "report", "form": ReportForm()},
    )


def _report(request, wants_json, article, context):
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            wants_json,
            400,
            {
                **context,
                "step": "report",
                "form": form,
                "message": _("Please check what you entered below."),
            },
        )
    revision = _revision(article, request.POST.get("revision", ""))
    reader_reports.file_report(article, revision, **form.cleaned_data)
    return _answer(request, wants_json, 200, {**context, "step": "thanks"})
