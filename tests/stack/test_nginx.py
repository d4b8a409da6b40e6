"""The nginx configuration docs/operations.md gives, run for real (Debian's
nginx) in front of gunicorn, on free ports, with a throwaway certificate."""

import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.stack.conftest import ROOT, Server, free_port
from tests.stack.test_gunicorn import beat, start_gunicorn

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not os.path.exists(NGINX) or not shutil.which("openssl"),
    reason="nginx is not installed (apt-get install -y nginx-light)",
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def documented_config() -> str:
    guide = (ROOT / "docs" / "operations.md").read_text()
    return re.search(r"```nginx\n(.*?)```", guide, re.S)[1]


@pytest.fixture
def folder():
    """World-readable, for nginx's workers (nobody when run as root)."""
    path = Path(tempfile.mkdtemp(prefix="nginx-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_nginx(folder: Path, app_port: int) -> tuple[Server, int, int]:
    http, https = free_port(), free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=health.example.org"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )
    media = folder / "media" / "uploads"
    media.mkdir(parents=True)
    (media / "0f3a.png").write_bytes(PNG)
    for path in [folder / "media", media, media / "0f3a.png"]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    site = (
        documented_config()
        .replace("127.0.0.1:6081", f"127.0.0.1:{app_port}")
        .replace("listen 80;", f"listen 127.0.0.1:{http};")
        .replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
        .replace(
            "/etc/letsencrypt/live/health.example.org/fullchain.pem",
            str(folder / "cert.pem"),
        )
        .replace(
            "/etc/letsencrypt/live/health.example.org/privkey.pem",
            str(folder / "key.pem"),
        )
        .replace("/srv/health/media/", f"{folder / 'media'}/")
    )
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    temp = "\n".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"pid {folder / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        "http {\naccess_log off;\ninclude /etc/nginx/mime.types;\n"
        f"{temp}\n{site}\n}}\n"
    )
    args = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"]
    subprocess.run([*args, "-t"], check=True, capture_output=True)
    server = Server(
        [*args, "-g", "daemon off;"], dict(os.environ), folder / "nginx.log"
    )
    return server, http, https


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str) -> tuple[int, dict, bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(
        NoRedirect(), urllib.request.HTTPSHandler(context=context)
    )
    request = urllib.request.Request(url, headers={"Host": "health.example.org"})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_documented_nginx_serves_the_site_and_media(
    servers, tmp_path, folder, server_database
):
    """HTTP redirects to HTTPS; HTTPS reaches gunicorn as https (no redirect
    loop with DJANGO_HTTPS=1), healthz included; media comes from disk with
    the sandboxing headers."""
    beat(server_database, tmp_path)
    app, app_url = start_gunicorn(
        servers,
        tmp_path,
        server_database,
        DJANGO_HTTPS="1",
        DJANGO_ALLOWED_HOSTS="health.example.org",
        HEALTH_SERVE_MEDIA="0",
    )
    app.wait_for(f"{app_url}/static/css/site.css", status=None)
    nginx, http, https = start_nginx(folder, int(app_url.rsplit(":", 1)[1]))
    servers.append(nginx)
    deadline = time.monotonic() + 15
    while True:
        try:
            status, headers, _ = get(f"http://127.0.0.1:{http}/topics/x/?a=1")
            break
        except OSError:
            assert time.monotonic() < deadline, nginx.output()
            time.sleep(0.2)
    assert status == 301
    assert headers["Location"] == "https://health.example.org/topics/x/?a=1"

    status, headers, body = get(f"https://127.0.0.1:{https}/healthz")
    assert status == 200, body
    assert b'"status": "ok"' in body

    status, headers, body = get(f"https://127.0.0.1:{https}/media/uploads/0f3a.png")
    assert status == 200 and body == PNG
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
