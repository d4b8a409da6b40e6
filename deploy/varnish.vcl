# Varnish in front of the app servers (Debian's varnish 7).
#
# Caches only what the app marks public (it sends Surrogate-Key and
# Cache-Control: s-maxage); passes staff, sessions, previews and the admin;
# and drops objects by surrogate key when the app sends a BAN naming them
# (articles/page_cache.py, HEALTH_PURGE_URLS=http://127.0.0.1:6081).
# Serves a page up to 30 s stale while refetching it, and up to a day stale
# when the app servers are down (stale-if-error).
#
# Run: varnishd -a 127.0.0.1:6081 -f /etc/varnish/health.vcl -s malloc,256m
# The tests (tests/proxy/) start it with the backend below rewritten.

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

# Only the app servers may purge.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed"));
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
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|preview|healthz)(/|$)") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|; *)sessionid=") {
        return (pass);
    }
    # A reader's other cookies change nothing the app sends them.
    unset req.http.Cookie;
    # Serve stale for 30 s while refetching; for longer only if the app is down.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/(admin|preview|healthz)(/|$)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (!beresp.http.Surrogate-Key && bereq.url !~ "^/static/") {
        # Not marked public by the app: never stored.
        set beresp.uncacheable = true;
        return (deliver);
    }
    # TTL comes from s-maxage; keep objects a day past it for stale-if-error.
    set beresp.grace = 24h;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
