"""django-rq's dashboard, for superusers only. Run by test_rq_dashboard.py in
a process started with DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend: the
dashboard's admin pages exist only there. (Not named test_*.py, so a normal
run does not collect it.)"""

import django_rq
import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django_rq.models import Dashboard

from tests.conftest import make_user
from tests.worker_tasks import touch

pytestmark = pytest.mark.skipif(
    settings.TASKS["default"]["BACKEND"] != "django_tasks_rq.RQBackend",
    reason="run by tests/site/test_rq_dashboard.py with the RQ backend",
)

# A value for each of django-rq's URL arguments.
ARGUMENTS = {
    "queue_index": 0,
    "scheduler_index": 0,
    "connection_index": 0,
    "key": "worker",
    "result_id": "result",
    "scheduler_name": "scheduler",
    "cron_job_name": "job",
    "token": "token",
    "object_id": "1",
}


STATS = "/admin/django_rq/dashboard/stats.json/"


@pytest.fixture
def queue():
    """The default queue, holding one job (a pending email, say)."""
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    touch.enqueue("/nonexistent/never")
    assert queue.count == 1
    yield queue
    queue.connection.flushdb()


def dashboard_urls(job_id: str) -> list[str]:
    """Every page and action of django-rq's admin, its arguments filled in."""
    # Two patterns share the statistics' name: with and without a token.
    urls = ["/admin/django_rq/dashboard/stats.json", f"{STATS}token/"]
    for pattern in admin.site.get_model_admin(Dashboard).get_urls():
        names = pattern.pattern.regex.groupindex
        kwargs = {name: ARGUMENTS.get(name, job_id) for name in names}
        if pattern.name:
            urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return sorted(set(urls))


@pytest.mark.parametrize(
    "group", ["Writers", "Medical reviewers", "Editors"], ids=lambda g: g
)
def test_staff_below_superuser_reach_no_queue_control(client, db, queue, group):
    """Every page, JSON and action answers 403, GET or POST, and the queue
    keeps its job; the admin index does not offer the dashboard."""
    client.force_login(make_user("someone", group))
    job_id = queue.job_ids[0]
    urls = dashboard_urls(job_id)
    assert "/admin/django_rq/dashboard/queues/0/empty/" in urls
    assert len(urls) > 25
    for url in urls:
        assert client.get(url).status_code == 403, url
        data = {"action": "delete", "job_ids": [job_id], "_selected_action": [job_id]}
        assert client.post(url, data).status_code == 403, url
    assert queue.count == 1
    assert "django_rq" not in client.get(reverse("admin:index")).content.decode()


def test_anonymous_requests_are_sent_to_log_in_or_refused(client, db, queue):
    """No page answers without a login (the JSON wants its API token)."""
    for url in dashboard_urls(queue.job_ids[0]):
        assert client.get(url).status_code in {302, 401}, url
    assert queue.count == 1


def test_a_superuser_sees_and_empties_the_queue(admin_client, queue):
    """The dashboard, its statistics and its actions work for a superuser."""
    assert admin_client.get("/admin/django_rq/dashboard/").status_code == 200
    stats = admin_client.get(STATS).json()
    assert stats["queues"][0]["jobs"] == 1
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "/admin/django_rq/dashboard/" in index
    admin_client.post("/admin/django_rq/dashboard/queues/0/empty/")
    assert queue.count == 0
