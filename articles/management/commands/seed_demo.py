"""Create demo users, contributors, topics, references and articles.

Idempotent: running it again updates the demo passwords and creates only what
is missing.
"""

import datetime
import os

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from articles import notifications
from articles.absolute_urls import absolute
from articles.models import Article, Contributor, Topic
from articles.roles import ensure_groups
from references.models import Reference

DEFAULT_PASSWORD = "review-demo-2026"

USERS = [
    # username, group, contributor fields
    (
        "writer",
        "Writers",
        {
            "display_name": "Wendy Hart",
            "slug": "wendy-hart",
            "specialty": "Health journalism",
            "bio": "Wendy has written about reproductive health for ten years.",
        },
    ),
    (
        "reviewer",
        "Medical reviewers",
        {
            "display_name": "Dr Priya Raman",
            "slug": "priya-raman",
            "credentials": "MD, FACOG",
            "specialty": "Obstetrics and gynaecology",
            "registration": "GMC 7654321",
            "bio": "Consultant obstetrician with a special interest in early "
            "pregnancy and recurrent miscarriage.",
        },
    ),
    (
        "editor",
        "Editors",
        {
            "display_name": "Eli Morgan",
            "slug": "eli-morgan",
            "specialty": "Managing editor",
            "bio": "Eli runs the editorial process and corrections policy.",
        },
    ),
]

TOPICS = [
    (
        "Fertility",
        "fertility",
        "Understanding your cycle, conception and fertility care.",
        36,
    ),
    (
        "Pregnancy loss",
        "pregnancy-loss",
        "Miscarriage, early pregnancy bleeding and support.",
        24,
    ),
]

REFERENCES = [
    {
        "citation_key": "najmabadi2021",
        "kind": "journal_article",
        "title": "Cervical mucus patterns and the fertile window in women without "
        "known subfertility: a pooled analysis of three cohorts",
        "authors": [
            {"family": "Najmabadi", "given": "Shahpar"},
            {"family": "Schliep", "given": "Karen C"},
            {"family": "Simonsen", "given": "Sara E"},
            {"family": "Porucznik", "given": "Christina A"},
            {"family": "Egger", "given": "Marlene J"},
            {"family": "Stanford", "given": "Joseph B"},
        ],
        "container_title": "Human reproduction (Oxford, England)",
        "journal_abbrev": "Hum Reprod",
        "year": 2021,
        "volume": "36",
        "issue": "7",
        "pages": "1784-1795",
        "doi": "10.1093/humrep/deab049",
        "pmid": "33990841",
        "pmcid": "PMC8487651",
        "evidence_level": "cohort",
    },
    {
        "citation_key": "coomarasamy2015",
        "kind": "journal_article",
        "title": "A randomized trial of progesterone in women with recurrent "
        "miscarriages",
        "authors": [
            {"family": "Coomarasamy", "given": "Arri"},
            {"family": "Williams", "given": "Helen"},
            {"family": "Truchanowicz", "given": "Ewa"},
            {"family": "Seed", "given": "Paul T"},
            {"family": "Small", "given": "Rachel"},
            {"family": "Quenby", "given": "Siobhan"},
            {"family": "Gupta", "given": "Pratima"},
        ],
        "container_title": "The New England journal of medicine",
        "journal_abbrev": "N Engl J Med",
        "year": 2015,
        "volume": "373",
        "issue": "22",
        "pages": "2141-2148",
        "doi": "10.1056/NEJMoa1504927",
        "pmid": "26605928",
        "evidence_level": "rct",
        "publication_types": ["Randomized Controlled Trial"],
    },
    {
        "citation_key": "coomarasamy2019",
        "kind": "journal_article",
        "title": "A randomized trial of progesterone in women with bleeding in early "
        "pregnancy",
        "authors": [
            {"family": "Coomarasamy", "given": "Arri"},
            {"family": "Devall", "given": "Adam J"},
            {"family": "Cheed", "given": "Versha"},
            {"family": "Harb", "given": "Hoda"},
            {"family": "Middleton", "given": "Lee J"},
            {"family": "Gallos", "given": "Ioannis D"},
            {"family": "Williams", "given": "Helen"},
        ],
        "container_title": "The New England journal of medicine",
        "journal_abbrev": "N Engl J Med",
        "year": 2019,
        "volume": "380",
        "issue": "19",
        "pages": "1815-1824",
        "doi": "10.1056/NEJMoa1813730",
        "pmid": "31067371",
        "evidence_level": "rct",
        "publication_types": ["Randomized Controlled Trial"],
    },
    {
        "citation_key": "nice2019",
        "kind": "guideline",
        "title": "Ectopic pregnancy and miscarriage: diagnosis and initial management "
        "(NG126)",
        "authors": [{"literal": "National Institute for Health and Care Excellence"}],
        "container_title": "NICE",
        "publisher": "National Institute for Health and Care Excellence",
        "publisher_place": "London",
        "year": 2019,
        "month": 4,
        "day": 17,
        "url": "https://www.nice.org.uk/guidance/ng126",
        "accessed": datetime.date(2026, 11, 2),
        "evidence_level": "guideline",
    },
]

LIVE_BODY = """## What cervical mucus does

Cervical mucus changes through the menstrual cycle. Around ovulation it becomes
clear, slippery and stretchy, which helps sperm travel through the cervix.

## What the research found

A pooled analysis of three cohorts, with 2,488 cycles from 528 women, found that
the days with the most fertile-type mucus line up closely with the fertile
window [@najmabadi2021].

## What this means for you

- Noticing mucus changes can help you time sex if you are trying to conceive.
- Patterns vary between people and between cycles.
- If your cycles are irregular, talk to a GP or practice nurse.
"""

PROGESTERONE_BODY = """## The question

Progesterone supports the lining of the womb in early pregnancy, so it has long
been offered to people who have had miscarriages.

## What the trials show

In women with unexplained recurrent miscarriages, a large randomised trial found
no meaningful increase in live births with progesterone [@coomarasamy2015].
A second trial in women with bleeding in early pregnancy found a small benefit
in those who had had previous miscarriages [@coomarasamy2019].

## What guidelines recommend

NICE recommends offering vaginal micronised progesterone to women with bleeding
in early pregnancy who have had a previous miscarriage [@nice2019].
"""

PROGESTERONE_UPDATE = (
    PROGESTERONE_BODY
    + """
## Talking to your doctor

Ask your early pregnancy unit whether progesterone is right for you; the
benefit seen in trials depends on your history [@coomarasamy2019; @nice2019].
"""
)

BLEEDING_BODY = """## Bleeding in early pregnancy is common

Many people have some bleeding in the first trimester, and many go on to have a
healthy pregnancy.

## When to get help

Contact your GP, midwife or early pregnancy unit if you bleed in pregnancy.
Get urgent help for heavy bleeding, severe pain or fainting, which can be signs
of an ectopic pregnancy [@nice2019].

## Treatment

If you have had a miscarriage before, you may be offered progesterone
[@coomarasamy2019; @nice2019].
"""

MISCARRIAGE_BODY = """## Can cervical mucus predict miscarriage?

Cervical mucus changes through the cycle, and the most fertile-type mucus lines
up with the fertile window [@najmabadi2021].

One study published in Obstetrics and Gynecology found that women with less
fertile-type mucus had more miscarriages. Some experts think mucus quality
reflects hormone levels in early pregnancy.
"""

FOLIC_BODY = """## Why folic acid matters

Taking folic acid before conception lowers the risk of neural tube defects.
"""

META_LIVE = (
    "Cervical mucus changes across the cycle. A pooled analysis of three cohorts "
    "shows how mucus patterns line up with the fertile window."
)
META_PROGESTERONE = (
    "Does progesterone prevent miscarriage? What two large randomised trials and "
    "the NICE guideline say, and who may benefit from treatment."
)
META_BLEEDING = (
    "Bleeding in early pregnancy is common. Learn when to contact your GP or early "
    "pregnancy unit, and which symptoms need urgent care."
)
META_MISCARRIAGE = (
    "What the research says about cervical mucus and miscarriage risk, and what "
    "it does not show yet, reviewed by a consultant obstetrician."
)

CHANGES_COMMENT = (
    "The claim attributed to “one study published in Obstetrics and Gynecology” "
    "has no traceable source. Cite it with its DOI or PMID, e.g. [@doi:10.x/y], "
    "so it appears in the reference list, or remove the claim. The hormone "
    "statement needs a verifiable reference too."
)

DISCLOSURES = (
    "The author and the medical reviewer declare no conflicts of interest. "
    "This article has no sponsor, and Reviewed Health takes no advertising."
)


class Command(BaseCommand):
    help = "Create demo users, contributors, topics, references and articles."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        # Demo transitions would email the demo users; keep the console quiet.
        with notifications.muted(), transaction.atomic():
            ensure_groups(django_apps)
            users = self._users(password)
            topics = self._topics()
            self._references()
            created = self._articles(users, topics)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready ({created} new article(s)). Log in at "
                f"{absolute('/admin/')} with password “{password}” as:"
            )
        )
        for username, role in [
            ("writer", "writer: drafts articles"),
            ("reviewer", "medical reviewer: approves or sends back"),
            ("editor", "editor: publishes and withdraws"),
            ("admin", "superuser"),
        ]:
            self.stdout.write(f"  {username:<9} {role}")

    def _users(self, password: str) -> dict[str, User]:
        users = {}
        for username, group, profile in USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.org", "is_staff": True},
            )
            user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=group))
            Contributor.objects.get_or_create(user=user, defaults=profile)
            users[username] = user
        admin, _ = User.objects.get_or_create(
            username="admin",
            defaults={"email": "admin@example.org"},
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        return users

    def _topics(self) -> dict[str, Topic]:
        topics = {}
        for name, slug, description, months in TOPICS:
            topics[slug], _ = Topic.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "review_interval_months": months,
                },
            )
        return topics

    def _references(self) -> None:
        for data in REFERENCES:
            Reference.objects.get_or_create(
                citation_key=data["citation_key"], defaults=data
            )

    def _article(self, users, topics, slug, title, body, meta, topic_slugs, summary):
        if Article.objects.filter(slug=slug).exists():
            return None
        writer = users["writer"]
        article = Article.objects.create(
            title=title,
            slug=slug,
            summary=summary,
            body=body,
            meta_description=meta,
            disclosures=DISCLOSURES,
            created_by=writer,
        )
        article.authors.add(writer.contributor)
        article.topics.add(*(topics[s] for s in topic_slugs))
        article.save_revision(by=writer, note="First draft")
        return article

    def _articles(self, users, topics) -> int:
        writer, reviewer, editor = (users[n] for n in ("writer", "reviewer", "editor"))
        created = 0

        live = self._article(
            users,
            topics,
            "cervical-mucus-fertile-window",
            "Cervical mucus and the fertile window",
            LIVE_BODY,
            META_LIVE,
            ["fertility"],
            "How the changes in cervical mucus through your cycle line up with "
            "the days you are most likely to conceive.",
        )
        if live:
            created += 1
            live.submit_for_review(by=writer)
            live.approve(by=reviewer, comment="Accurate and clearly sourced.")
            live.publish(by=editor)

        updating = self._article(
            users,
            topics,
            "progesterone-and-miscarriage",
            "Progesterone and miscarriage: what the trials show",
            PROGESTERONE_BODY,
            META_PROGESTERONE,
            ["pregnancy-loss"],
            "Two large trials tested progesterone to prevent miscarriage. Here is "
            "what they found and who may benefit.",
        )
        if updating:
            created += 1
            updating.submit_for_review(by=writer)
            updating.approve(by=reviewer, comment="Good summary of PROMISE/PRISM.")
            updating.publish(by=editor)
            updating.body = PROGESTERONE_UPDATE
            updating.save_revision(by=writer, note="Added advice on asking your EPU")
            updating.submit_for_review(by=writer)

        in_review = self._article(
            users,
            topics,
            "bleeding-in-early-pregnancy",
            "Bleeding in early pregnancy: when to get help",
            BLEEDING_BODY,
            META_BLEEDING,
            ["pregnancy-loss"],
            "Bleeding in early pregnancy is common and often harmless, but some "
            "symptoms need urgent care.",
        )
        if in_review:
            created += 1
            in_review.submit_for_review(by=writer)

        sent_back = self._article(
            users,
            topics,
            "cervical-mucus-and-miscarriage",
            "Cervical mucus and miscarriage: what the research says",
            MISCARRIAGE_BODY,
            META_MISCARRIAGE,
            ["fertility", "pregnancy-loss"],
            "Can changes in cervical mucus tell you anything about miscarriage "
            "risk? What the research does and does not show.",
        )
        if sent_back:
            created += 1
            sent_back.submit_for_review(by=writer)
            sent_back.request_changes(by=reviewer, comment=CHANGES_COMMENT)

        draft = self._article(
            users,
            topics,
            "folic-acid-before-pregnancy",
            "Folic acid before pregnancy",
            FOLIC_BODY,
            "",
            ["fertility"],
            "",
        )
        if draft:
            created += 1
        return created
