"""Load the demo content in articles/fixtures/demo.toml.

Idempotent: running it again resets the demo passwords and creates only what
is missing. Articles go through the workflow's own methods, so the demo shows
exactly what the rules allow. Every role finds something waiting on the
dashboard, and a few notifications under the bell.
"""

import datetime
import io
import os
import tomllib
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw

from articles import notifications
from articles.absolute_urls import absolute
from articles.models import Article, Contributor, PageVotes, Topic
from articles.roles import ensure_groups
from references.models import Reference

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.toml"
# A wide figure (wider than the review screen's column), named as uploads are
# (articles/images.py), so that the demo shows how the desk copes with one.
CHART = "d3e0a1c4b2f54e6a8c7d9b0e1f2a3b4c-900x360.png"
CHART_MARK = "@demo-chart"
DEFAULT_PASSWORD = "review-demo-2026"
DEMO_DEVICE = "demo"
ROLES = [
    ("writer", "writer: drafts articles"),
    ("reviewer", "medical reviewer: approves or sends back"),
    ("editor", "editor: publishes and withdraws"),
    ("admin", "superuser"),
]


class Command(BaseCommand):
    help = "Create the demo users, topics, references and articles (idempotent)."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        demo = tomllib.loads(DEMO.read_text(encoding="utf-8"))
        # Demo transitions would email the demo users and fill their bells;
        # only the articles marked `notify` put their last step in the bells.
        with notifications.muted(), transaction.atomic():
            ensure_groups(django_apps)
            users = self.load_users(demo["users"], password)
            for topic in demo["topics"]:
                Topic.objects.get_or_create(slug=topic.pop("slug"), defaults=topic)
            for reference in demo["references"]:
                key = reference.pop("citation_key")
                Reference.objects.get_or_create(citation_key=key, defaults=reference)
            slugs = [article["slug"] for article in demo["articles"]]
            created = sum(
                self.load_article(article, demo["defaults"], users)
                for article in demo["articles"]
            )
            seed_votes(slugs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready ({created} new "
                f"{'article' if created == 1 else 'articles'}). Log in at "
                f"{absolute('/admin/')} with password “{password}” as:"
            )
        )
        for username, role in ROLES:
            self.stdout.write(f"  {username:<9} {role}")
        self.stdout.write(
            "then the code from their demo authenticator, for example: "
            ".venv/bin/python manage.py demo_code reviewer"
        )

    def load_users(self, rows: list[dict], password: str) -> dict[str, User]:
        users = {}
        for row in rows:
            username, group = row.pop("username"), row.pop("group")
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            # The admin greets people by first name ("Welcome, Priya").
            *_title, user.first_name, user.last_name = row["display_name"].split()
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            Contributor.objects.get_or_create(user=user, defaults=row)
            give_demo_device(user)
            users[username] = user
        admin, _ = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@example.org"}
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        give_demo_device(admin)
        return users

    def load_article(self, row: dict, defaults: dict, users: dict) -> bool:
        """Create one article and take it through its steps; False if it exists."""
        if Article.objects.filter(slug=row["slug"]).exists():
            return False
        if CHART_MARK in row["body"]:
            row["body"] = row["body"].replace(CHART_MARK, demo_chart())
        writer = users["writer"]
        article = Article.objects.create(
            created_by=writer,
            disclosures=row.get("disclosures", defaults["disclosures"]),
            review_interval_months=row.get("review_interval_months"),
            **{
                name: row[name]
                for name in ("slug", "title", "summary", "body", "meta_description")
            },
        )
        article.authors.add(writer.contributor)
        article.topics.add(*Topic.objects.filter(slug__in=row["topics"]))
        article.save_revision(by=writer, note="First draft")
        self.run_steps(article, row, users)
        if "update" in row:
            article.body = row["update"]["body"]
            article.save_revision(
                by=writer,
                note=row["update"]["note"],
                change_class=row["update"].get("class", ""),
                correction_note=row["update"].get("correction_note", ""),
            )
            self.run_steps(article, row["update"], users)
            row = row["update"]
        if row.get("notify") and row.get("steps"):
            self.notify(article, row["steps"][-1], users)
        return True

    def notify(self, article: Article, step: str, users: dict) -> None:
        """Put the last step's notification in the bells (no email)."""
        article.refresh_from_db()
        with notifications.muted(bell=True):
            if step == "submit":
                notifications.submitted(article, users["writer"])
            elif step in {"approve", "request_changes"}:
                review = article.current_revision.reviews.order_by("-created_at")[0]
                notifications.decided(article, review, users["reviewer"])
            elif step == "publish":
                notifications.published(article, users["editor"])

    def run_steps(self, article: Article, row: dict, users: dict) -> None:
        comment = row.get("comment", "")
        transitions = {
            "submit": lambda: article.submit_for_review(by=users["writer"]),
            "approve": lambda: article.approve(
                by=users["reviewer"], comment=comment, change_class=row.get("class")
            ),
            "request_changes": lambda: article.request_changes(
                by=users["reviewer"], comment=comment
            ),
            "publish": lambda: article.publish(by=users["editor"]),
            "schedule": lambda: article.publish(
                by=users["editor"],
                at=timezone.now()
                + datetime.timedelta(days=row.get("schedule_in_days", 14)),
            ),
        }
        for step in row.get("steps", []):
            transitions[step]()


def seed_votes(slugs: list[str], weeks: int = 12) -> None:
    """A few weeks of "Is this page useful?" answers for each live demo
    article (of `slugs`) without any, so the dashboard's Reader feedback box
    has a trend. Other articles, such as a benchmark's thousands, get none."""
    today = timezone.localdate()
    rows = []
    for article in (
        Article.objects.live()
        .filter(slug__in=slugs)
        .exclude(pk__in=PageVotes.objects.values("article_id"))
    ):
        seed = sum(article.slug.encode())
        for day in range(0, 7 * weeks, 3):
            rows.append(
                PageVotes(
                    article=article,
                    day=today - datetime.timedelta(days=day),
                    yes=(seed + day) % 7 + 2,
                    no=(seed * 3 + day) % 4,
                )
            )
    PageVotes.objects.bulk_create(rows)


def give_demo_device(user: User) -> TOTPDevice:
    """A confirmed authenticator named "demo" (`manage.py demo_code` reads its
    code), so that a newcomer logs in without enrolling. Its key is kept when
    run again, in case someone added it to a real authenticator app."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name=DEMO_DEVICE, defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def demo_chart() -> str:
    """The URL of the demo's wide figure, drawn and stored if it is missing."""
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{CHART}"
    if not default_storage.exists(name):
        width, height, left, right = 900, 360, 60, 860
        image = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(image)
        step = (right - left) / 10
        draw.text((left, 24), "The first trimester, weeks 4 to 13", fill="#1d3557")
        for n, week in enumerate(range(4, 14)):
            x = left + n * step
            colour = "#457b9d" if week < 6 else "#2a9d8f" if week < 11 else "#e9c46a"
            draw.rectangle([x + 4, 120, x + step - 4, 240], fill=colour)
            draw.text((x + step / 2 - 14, 256), f"wk {week}", fill="#1d3557")
        draw.line([left, 250, right, 250], fill="#1d3557", width=2)
        draw.text((left + 2 * step, 90), "early pregnancy unit", fill="#1d3557")
        draw.text((left + 7 * step, 90), "dating scan", fill="#1d3557")
        data = io.BytesIO()
        image.save(data, "PNG", optimize=True)
        default_storage.save(name, ContentFile(data.getvalue()))
    return default_storage.url(name)
