# Varnish in front of the app servers (Debian's varnish 7).
#
# Caches only what the app marks public (it sends Surrogate-Key and
# Cache-Control: s-maxage); passes staff, sessions, previews and the admin;
# and drops objects by surrogate key when an app server sends a BAN naming
# them (articles/delivery/page_cache.py).
#
# Each page is kept once, at its one address, as the app's own page cache
# keeps it: tracking parameters (utm_*, fbclid, gclid…) are dropped, ?page=N
# is kept on lists up to page 20, and any other query string passes to the
# app (which redirects it to the page's address) without being stored. What
# outsiders can vary without end (search results, answers other than 200,
# 301 and 410) lives in a small store of its own, `variants`, so it can only
# evict its own kind, never a page.
#
# Purges come only through the listener named "purge", from the app servers
# (acl purgers), with the shared secret HEALTH_PURGE_SECRET that varnishd has
# in its environment; the public listener refuses BAN and PURGE.
#
# Run (deploy/systemd/varnish.service.d/health.conf has the same line):
#   HEALTH_PURGE_SECRET=… varnishd -a 127.0.0.1:6081 -a purge=127.0.0.1:6085 \
#     -f /etc/varnish/health.vcl -s pages=malloc,256m -s variants=malloc,32m
# The tests (tests/stack/) start it with the backend below rewritten.

vcl 4.1;

import std;

backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = {
        .url = "/robots.txt";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# The app servers: the only clients allowed on the purge listener.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN" || req.method == "PURGE") {
        if (local.socket != "purge") {
            return (synth(405, "Method not allowed"));
        }
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed"));
        }
        if (std.getenv("HEALTH_PURGE_SECRET") !~ "^.{32,}$"
            || req.http.X-Purge-Secret != std.getenv("HEALTH_PURGE_SECRET")) {
            return (synth(403, "Not allowed"));
        }
        if (req.method == "PURGE") {
            return (synth(405, "Use BAN with X-Ban-Tags"));
        }
        if (req.http.X-Ban-Tags !~ "^[a-z0-9 -]+$") {
            return (synth(400, "X-Ban-Tags: space-separated surrogate keys"));
        }
        # Every object whose Surrogate-Key names one of the tags, as a word.
        # (No spaces in the expression: the ban parser splits on them.)
        ban("obj.http.Surrogate-Key ~ (^|\s)("
            + regsuball(req.http.X-Ban-Tags, " +", "|") + ")(\s|$)");
        return (synth(200, "Banned"));
    }
    if (local.socket == "purge") {
        return (synth(404, "Purges only"));
    }
    unset req.http.X-Purge-Secret;
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|preview|healthz)(/|\?|$)") {
        return (pass);
    }
    # Readers' feedback: answered per post, never kept (articles/public/feedback.py).
    if (req.url ~ "^/articles/[^/?]+/feedback/") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|; *)sessionid=") {
        return (pass);
    }
    # A reader's other cookies change nothing the app sends them.
    unset req.http.Cookie;

    # Static files have hashed names; whitenoise ignores query strings.
    if (req.url ~ "^/static/") {
        set req.url = regsub(req.url, "\?.*$", "");
        return (hash);
    }
    # One address per page, as articles/delivery/page_cache.py keeps them.
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url,
            "(?i)(?<=[?&])(utm_[a-z0-9_]*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|yclid|twclid|ttclid|srsltid)(=[^&]*)?(&|$)",
            "");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = regsub(req.url, "^(/(topics|contributors)/[^/?]+/)\?page=1$", "\1");
        set req.url = regsub(req.url, "^(/corrections/)\?page=1$", "\1");
    }
    if (req.url !~ "^/($|articles/|topics/|contributors/|editorial-policy/|corrections/|feed/|sitemap\.xml|robots\.txt|search/)") {
        return (pass);
    }
    if (req.url ~ "\?" && req.url !~ "^/search/\?"
        && req.url !~ "^/(topics|contributors)/[^/?]+/\?page=([2-9]|1[0-9]|20)$"
        && req.url !~ "^/corrections/\?page=([2-9]|1[0-9]|20)$") {
        return (pass);
    }
    # Serve stale for 30 s while refetching; for longer only if the app is down.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_hash {
    # The app renders the same page whatever the Host (its links come from
    # HEALTH_SITE_BASE_URL), so the address alone names an object.
    hash_data(req.url);
    return (lookup);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/(admin|preview|healthz)(/|\?|$)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        return (deliver);
    }
    if (!beresp.http.Surrogate-Key && bereq.url !~ "^/static/") {
        # Not marked public by the app: never stored.
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        return (deliver);
    }
    if (bereq.url ~ "^/search/"
        || (beresp.status != 200 && beresp.status != 301 && beresp.status != 410)) {
        # Search results and 404s: any address has one, so they are kept
        # briefly, in their own store.
        set beresp.storage = storage.variants;
        if (beresp.ttl > 300s) {
            set beresp.ttl = 300s;
        }
        set beresp.grace = 30s;
        return (deliver);
    }
    # A page at its one address. TTL comes from s-maxage; keep it a day past
    # that for stale-if-error.
    set beresp.storage = storage.pages;
    set beresp.grace = 24h;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
