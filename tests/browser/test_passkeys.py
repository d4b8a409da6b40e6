"""Passkeys in a real browser: Chromium's virtual authenticator (CDP
WebAuthn.addVirtualAuthenticator: a resident key with user verification)
enrols on first sign-in, signs in, and answers the step-up on Approve."""

import datetime
import io
import time

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Review
from siteconf.mfa.state import Method
from tests.browser.conftest import DEMO_PASSWORD, login, screenshot
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def add_authenticator(page) -> tuple:
    """A platform authenticator that keeps resident keys and verifies its user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def credentials(cdp, authenticator_id) -> list:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
        "credentials"
    ]


def password_step(page, site_server, username, password):
    page.goto(f"{site_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_a_new_reviewer_enrols_a_passkey_and_signs_in_with_it(page, site_server, demo):
    """First sign-in: the desk offers only enrolment; a passkey takes seconds,
    the recovery codes are shown once, and the next sign-in uses the passkey."""
    make_user(
        "newreviewer",
        "Medical reviewers",
        display_name="Dr Nia Okafor",
        credentials="MBBS, MRCGP",
    )
    user = User.objects.get(username="newreviewer")
    user.set_password(DEMO_PASSWORD)
    user.save()
    cdp, authenticator = add_authenticator(page)

    started = time.monotonic()
    password_step(page, site_server, "newreviewer", DEMO_PASSWORD)
    page.wait_for_url("**/admin/mfa/enrol/**")
    # A password alone reaches no desk page.
    page.goto(f"{site_server.url}/admin/articles/article/")
    page.wait_for_url("**/admin/mfa/enrol/**")
    screenshot(page, "staff-enrol.png")
    page.locator("[data-passkey-register]").first.click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "staff-recovery-codes.png")
    page.locator("#mfa-continue").click()
    # On to the page first asked for.
    page.wait_for_url(f"{site_server.url}/admin/articles/article/")
    enrolled_in = time.monotonic() - started
    print(f"\nA new reviewer enrolled a passkey in {enrolled_in:.1f} s")
    assert enrolled_in < 60

    assert len(credentials(cdp, authenticator)) == 1
    assert user.webauthncredential_set.count() == 1

    page.context.clear_cookies()
    password_step(page, site_server, "newreviewer", DEMO_PASSWORD)
    page.wait_for_url("**/admin/mfa/verify/**")
    screenshot(page, "staff-verify.png")
    page.locator("[data-passkey-verify]").click()
    page.wait_for_url(f"{site_server.url}/admin/")
    expect(page.locator("#user-tools")).to_contain_text("Sign-in security")


def test_approve_after_the_window_asks_for_the_passkey_and_records_it(
    page, site_server, demo, settings
):
    """Ten minutes after the last check, Approve asks inline; the passkey
    answers, the comment survives, and the approval names the passkey."""
    cdp, authenticator = add_authenticator(page)
    login(page, site_server, "reviewer")
    page.goto(f"{site_server.url}/admin/mfa/")
    page.fill("#id_passkey_name", "Laptop passkey")
    page.locator("[data-passkey-register]").first.click()
    expect(page.locator("#mfa-devices input[name=name]").last).to_have_value(
        "Laptop passkey"
    )

    article = Article.objects.get(slug="bleeding-in-early-pregnancy")
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
    # Fresh: the form asks for nothing more.
    expect(page.locator("fieldset#step-up")).to_have_count(0)
    for box in page.locator("input[name=checklist]").all():
        box.check()
    page.locator("input[name=interests][value=none]").check()
    page.fill("#id_comment", "Checked against the cited cohort.")
    later = timezone.now() + datetime.timedelta(
        minutes=settings.HEALTH_STEP_UP_MINUTES + 1
    )
    with time_machine.travel(later, tick=True):
        # The reviewer read for eleven minutes: Approve asks, and keeps the text.
        page.get_by_role("button", name="Approve").click()
        panel = page.locator("fieldset#step-up")
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("Confirm it")
        expect(panel.locator("[data-passkey-step-up]")).to_be_visible()
        expect(page.locator("#id_comment")).to_have_value(
            "Checked against the cited cohort."
        )
        assert not Review.objects.filter(
            revision__article=article, decision=Review.Decision.APPROVED
        ).exists()
        screenshot(page, "reviewer-step-up.png")
        # Approve again: the passkey answers, and the form goes as it was.
        page.get_by_role("button", name="Approve").click()
        expect(page.locator(".messagelist")).to_contain_text("approved")

    approval = Review.objects.get(
        revision__article=article, decision=Review.Decision.APPROVED
    )
    assert approval.proof_method == Method.PASSKEY
    assert approval.proof_device
    assert approval.proof_at is not None
    assert approval.proof_device == "Laptop passkey"
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/history/")
    proof = page.locator("span.sign-off-proof[data-proof-method=passkey]").first
    expect(proof).to_contain_text("Laptop passkey")


def demo_code(username: str, settings) -> str:
    """What `manage.py demo_code` prints for a newcomer (DEBUG on, as in
    `make run`)."""
    settings.DEBUG = True
    printed = io.StringIO()
    call_command("demo_code", username, stdout=printed, stderr=io.StringIO())
    settings.DEBUG = False
    return printed.getvalue().strip()


def test_a_newcomer_approves_with_the_demo_code_and_a_step_up(
    page, site_server, demo, settings
):
    """As a newcomer to `make run` would: the reviewer's password and the code
    `demo_code` prints, then Approve after the window asks for a new code."""
    password_step(page, site_server, "reviewer", DEMO_PASSWORD)
    page.wait_for_url("**/admin/mfa/verify/**")
    page.fill("#id_code", demo_code("reviewer", settings))
    page.click("#mfa-verify-submit")
    page.wait_for_url(f"{site_server.url}/admin/")

    article = Article.objects.get(slug="bleeding-in-early-pregnancy")
    later = timezone.now() + datetime.timedelta(
        minutes=settings.HEALTH_STEP_UP_MINUTES + 1
    )
    with time_machine.travel(later, tick=True):
        page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
        for box in page.locator("input[name=checklist]").all():
            box.check()
        page.locator("input[name=interests][value=none]").check()
        page.fill("#id_comment", "Dosages match the guideline.")
        page.get_by_role("button", name="Approve").click()
        expect(page.locator("fieldset#step-up")).to_be_visible()
        page.fill("#id_step_up_code", demo_code("reviewer", settings))
        page.get_by_role("button", name="Approve").click()
        expect(page.locator(".messagelist")).to_contain_text("approved")

    approval = Review.objects.get(
        revision__article=article, decision=Review.Decision.APPROVED
    )
    assert approval.proof_method == Method.TOTP
    assert approval.comment.startswith("Dosages match the guideline.")
