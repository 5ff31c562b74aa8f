"""FastCGI versus HTTP through each reverse proxy (docs/benchmarks.md).

For each proxy, one configuration serves two paths on one port:

  /fcgi/bench.php  the proxy's FastCGI client (fastcgi_pass or its
                   equivalent) to fcgi-responder --body-bytes N
  /http/bench      the proxy's HTTP reverse proxy (proxy_pass or its
                   equivalent, HTTP/1.1 keep-alive to the upstream where the
                   proxy has it) to fcs-http-origin --body-bytes N

Both upstreams listen on 127.0.0.1 TCP and answer every GET with the same
N bytes. Per proxy and body size: both paths are checked first (status 200,
the exact body), then warmed up, then measured with wrk (same threads,
connections and duration) in rounds: fcgi, http, fcgi, http, ... The
report gives the median of the rounds for requests/s, p50 and p99, each
taken on its own, and FastCGI/HTTP of the medians.

Every process is started in its own process group and stopped by its pid
(TERM to the group, KILL after 5 s); the temporary directory is removed.

Exit status: 0 every path measured; 1 a path failed its check or a run;
2 usage; 3 a program is missing (wrk, a build output, a proxy); 4 a proxy
or upstream did not start. After 1 or 4 the others are still measured and
the table says what failed and why.
"""
import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import http.client
import pathlib

from . import ROOT
from .procs import stop_group

PROXIES = ["nginx", "lighttpd", "apache2", "apache2-fcgid", "haproxy",
           "caddy", "h2o"]
# What each FastCGI and HTTP path does with its upstream connections in the
# configuration below (the "upstream connections" column of the report).
REUSE = {
    "nginx": ("kept (upstream keepalive 32, fastcgi_keep_conn on)",
              "kept (upstream keepalive 32, HTTP/1.1)"),
    "lighttpd": ("one per request (mod_fastcgi clears FCGI_KEEP_CONN)",
                 "one per request (mod_proxy sends Connection: close)"),
    "apache2": ("kept (ProxyPass enablereuse=on)",
                "kept (mod_proxy_http's pool, the default)"),
    "apache2-fcgid": ("mod_fcgid: a spawned process per concurrent request",
                      "kept (mod_proxy_http's pool, the default)"),
    "haproxy": ("kept (fcgi-app option keep-conn)",
                "kept (http-reuse safe, the default)"),
    "caddy": ("kept (the fastcgi transport's default)",
              "kept (the http transport's pool, the default)"),
    "h2o": ("kept (fastcgi.timeout.keepalive 30000)",
            "kept (proxy.timeout.keepalive, the default 2000 ms)"),
}
NEEDS = {
    "nginx": ["/usr/sbin/nginx", "/etc/nginx/fastcgi.conf"],
    "lighttpd": ["/usr/sbin/lighttpd"],
    "apache2": ["/usr/sbin/apache2",
                "/usr/lib/apache2/modules/mod_proxy_fcgi.so",
                "/usr/lib/apache2/modules/mod_proxy_http.so"],
    "apache2-fcgid": ["/usr/sbin/apache2",
                      "/usr/lib/apache2/modules/mod_fcgid.so",
                      "/usr/lib/apache2/modules/mod_proxy_http.so"],
    "haproxy": ["/usr/sbin/haproxy"],
    "caddy": ["/usr/bin/caddy"],
    "h2o": ["/usr/bin/h2o"],
}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'PROXYBENCH {"requests": %d, "bytes": %d, "duration_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read,
    e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(99)))
end
"""


class Failure(Exception):
    """One line for stderr and the exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def body_of(n):
    """The body both upstreams send: 'a'..'z' repeated."""
    return bytes(97 + i % 26 for i in range(n))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Procs:
    """Processes started here, each leading its own process group."""

    def __init__(self):
        self.running = []

    def start(self, argv, log, env=None, cwd=None):
        with open(log, "ab") as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                 start_new_session=True)
        self.running.append(p)
        return p

    def stop(self, p):
        # The KILL after it also takes the workers a proxy leaves behind in
        # its group (mod_fcgid's children).
        stop_group(p, 5)
        if p in self.running:
            self.running.remove(p)

    def stop_all(self):
        for p in reversed(list(self.running)):
            self.stop(p)


def wait_listening(p, port, log, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    tail = pathlib.Path(log).read_text(errors="replace").strip().splitlines()[-5:]
    raise Failure(f"{what} did not accept connections on 127.0.0.1:{port}"
                  f" (last log lines: {' | '.join(tail) or 'none'})", 4)


def start_upstream(procs, argv, log, what):
    """Starts a server that prints 'listening on tcp:127.0.0.1:PORT'."""
    p = procs.start(argv, log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = pathlib.Path(log).read_text(errors="replace")
        for line in text.splitlines():
            if line.startswith("listening on tcp:"):
                return int(line.rsplit(":", 1)[1])
        if p.poll() is not None:
            break
        time.sleep(0.02)
    raise Failure(f"{what} did not start: {text.strip()[-300:] or 'no output'}", 4)


# --- proxy configurations -------------------------------------------------

def conf_nginx(w, port, fport, hport, docroot, user):
    user_line = f"user {user[0]} {user[1]};" if user else ""
    (w / "nginx.conf").write_text(f"""{user_line}
daemon off;
pid {w}/nginx.pid;
error_log stderr;
events {{}}
http {{
  access_log off;
  client_body_temp_path {w}/client_body;
  proxy_temp_path {w}/proxy;
  fastcgi_temp_path {w}/fastcgi;
  uwsgi_temp_path {w}/uwsgi;
  scgi_temp_path {w}/scgi;
  upstream fcgi_up {{ server 127.0.0.1:{fport}; keepalive 32; }}
  upstream http_up {{ server 127.0.0.1:{hport}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    server_name _;
    root {docroot};
    location /fcgi/ {{
      include /etc/nginx/fastcgi.conf;
      fastcgi_keep_conn on;
      fastcgi_pass fcgi_up;
    }}
    location /http/ {{
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://http_up;
    }}
  }}
}}
""")
    return ["/usr/sbin/nginx", "-p", str(w), "-e", "stderr", "-c",
            str(w / "nginx.conf")]


def conf_lighttpd(w, port, fport, hport, docroot, user):
    (w / "lighttpd.conf").write_text(f"""server.modules = ( "mod_fastcgi", "mod_proxy" )
server.document-root = "{docroot}"
server.pid-file = "{w}/lighttpd.pid"
server.bind = "127.0.0.1"
server.port = {port}
fastcgi.server = ( "/fcgi/" => ((
  "host" => "127.0.0.1", "port" => {fport}, "check-local" => "disable"
)))
proxy.server = ( "/http/" => ((
  "host" => "127.0.0.1", "port" => {hport}
)))
""")
    return ["/usr/sbin/lighttpd", "-D", "-f", str(w / "lighttpd.conf")]


def _apache_head(w, port, user):
    m = "/usr/lib/apache2/modules"
    run_as = f"User {user}\nGroup {user}\n" if user else ""
    return f"""ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {w}/apache2.pid
DefaultRuntimeDir {w}
ErrorLog /dev/stderr
LogLevel warn
LoadModule mpm_event_module {m}/mod_mpm_event.so
LoadModule authz_core_module {m}/mod_authz_core.so
LoadModule proxy_module {m}/mod_proxy.so
LoadModule proxy_http_module {m}/mod_proxy_http.so
{run_as}KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
ProxyPass /http/ http://127.0.0.1:__HPORT__/
"""


def conf_apache2(w, port, fport, hport, docroot, user):
    text = _apache_head(w, port, user and "www-data").replace(
        "__HPORT__", str(hport))
    text += ("LoadModule proxy_fcgi_module "
             "/usr/lib/apache2/modules/mod_proxy_fcgi.so\n"
             f"ProxyPass /fcgi/ fcgi://127.0.0.1:{fport}/ enablereuse=on\n")
    (w / "apache2.conf").write_text(text)
    return ["/usr/sbin/apache2", "-d", str(w), "-f", str(w / "apache2.conf"),
            "-DFOREGROUND"]


def conf_apache2_fcgid(w, port, fport, hport, docroot, user, responder=None,
                       body_bytes=0):
    # mod_fcgid spawns the application with its listening socket on fd 0:
    # fcgi-responder takes it there (no --listen). The binary is copied
    # into the work directory, which www-data may enter.
    os.chmod(w, 0o711)
    shutil.copy(responder, w / "fcgi-responder")
    wrapper = w / "responder.sh"
    wrapper.write_text(f"#!/bin/sh\nexec {w}/fcgi-responder "
                       f"--body-bytes {body_bytes}\n")
    wrapper.chmod(0o755)
    text = _apache_head(w, port, user and "www-data").replace(
        "__HPORT__", str(hport))
    text += f"""LoadModule fcgid_module /usr/lib/apache2/modules/mod_fcgid.so
FcgidIPCDir {w}/fcgid
FcgidProcessTableFile {w}/fcgid-shm
FcgidConnectTimeout 20
FcgidMaxProcessesPerClass 64
<Location /fcgi/>
  SetHandler fcgid-script
  Options +ExecCGI
  FcgidWrapper {wrapper} virtual
</Location>
"""
    (w / "apache2.conf").write_text(text)
    return ["/usr/sbin/apache2", "-d", str(w), "-f", str(w / "apache2.conf"),
            "-DFOREGROUND"]


def conf_haproxy(w, port, fport, hport, docroot, user):
    (w / "haproxy.cfg").write_text(f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 5000
    timeout client 50000
    timeout server 50000
frontend front
    bind 127.0.0.1:{port}
    use_backend back-fcgi if {{ path_beg /fcgi/ }}
    default_backend back-http
backend back-fcgi
    use-fcgi-app app
    server fcgi 127.0.0.1:{fport} proto fcgi
backend back-http
    server http 127.0.0.1:{hport}
fcgi-app app
    option keep-conn
    docroot {docroot}
""")
    return ["/usr/sbin/haproxy", "-db", "-f", str(w / "haproxy.cfg")]


def conf_caddy(w, port, fport, hport, docroot, user):
    (w / "Caddyfile").write_text(f"""{{
	admin off
}}
http://:{port} {{
	bind 127.0.0.1
	handle /fcgi/* {{
		reverse_proxy 127.0.0.1:{fport} {{
			transport fastcgi {{
				root {docroot}
			}}
		}}
	}}
	handle /http/* {{
		reverse_proxy 127.0.0.1:{hport}
	}}
}}
""")
    for d in ("home", "config", "data"):
        (w / d).mkdir()
    return ["/usr/bin/caddy", "run", "--config", str(w / "Caddyfile"),
            "--adapter", "caddyfile"]


def conf_h2o(w, port, fport, hport, docroot, user):
    user_line = f"user: {user[0]}\n" if user else ""
    (w / "h2o.conf").write_text(f"""{user_line}pid-file: {w}/h2o.pid
listen:
  host: 127.0.0.1
  port: {port}
hosts:
  default:
    paths:
      /fcgi/:
        fastcgi.timeout.keepalive: 30000
        fastcgi.connect:
          host: 127.0.0.1
          port: {fport}
          type: tcp
      /http/:
        proxy.reverse.url: http://127.0.0.1:{hport}/
""")
    return ["/usr/bin/h2o", "-c", str(w / "h2o.conf")]


CONFS = {"nginx": conf_nginx, "lighttpd": conf_lighttpd,
         "apache2": conf_apache2, "apache2-fcgid": conf_apache2_fcgid,
         "haproxy": conf_haproxy, "caddy": conf_caddy, "h2o": conf_h2o}


# --- measuring -------------------------------------------------------------

def check_path(port, path, n):
    """GETs path twice on one connection; returns the body length the proxy
    sent, or raises Failure naming what was wrong."""
    want = body_of(n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(2):
            conn.request("GET", path)
            r = conn.getresponse()
            got = r.read()
            if r.status != 200:
                raise Failure(f"{path}: status {r.status}, not 200 "
                              f"(body: {got[:120]!r})", 1)
            if got != want:
                raise Failure(f"{path}: a body of {len(got)} bytes, not the "
                              f"{n} bytes the upstream sent", 1)
    except (OSError, http.client.HTTPException) as e:
        raise Failure(f"{path}: {type(e).__name__}: {e}", 1) from e
    finally:
        conn.close()
    return len(got)


def wrk(args, port, path, seconds, script):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections),
           "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script),
           f"http://127.0.0.1:{port}{path}"]
    r = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=seconds + 60)
    for line in r.stdout.splitlines():
        if line.startswith("PROXYBENCH "):
            m = json.loads(line[len("PROXYBENCH "):])
            m["rps"] = m["requests"] / (m["duration_us"] / 1e6)
            return m
    said = " ".join((r.stderr or r.stdout).split())
    raise Failure(f"wrk printed no summary (exit {r.returncode}): "
                  f"{said[-200:]}", 1)


def run_ok(m, n):
    """Why a wrk run does not count, or None."""
    errors = {k: m[k] for k in ("connect", "read", "write", "status",
                                "timeout") if m[k]}
    if errors:
        return f"wrk errors {errors} in {m['requests']} requests"
    if m["requests"] == 0:
        return "no request completed"
    if m["bytes"] < m["requests"] * n:
        return (f"{m['bytes']} bytes read for {m['requests']} requests: "
                f"fewer than {n} per response")
    return None


def time_wait(port):
    """TCP sockets in TIME-WAIT with port at either end: connections to or
    from port that were closed in the last minute."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 3 and f[3] == "06" and port in (
                    int(f[1].rsplit(":", 1)[1], 16),
                    int(f[2].rsplit(":", 1)[1], 16)):
                n += 1
    return n


TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu(pgid):
    """CPU seconds (user + system) used so far by the live processes of
    process group pgid, all their threads included."""
    total = 0
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        f = stat[stat.rindex(")") + 2:].split()
        if int(f[2]) == pgid:  # fields 5, 14 and 15 of proc(5)
            total += int(f[11]) + int(f[12])
    return total / TICKS


PROBE_REQUESTS = 100


def probe_closes(port, path, upstream):
    """Upstream connections closed per request while PROBE_REQUESTS GETs
    go one after the other on one client connection: about 0 when the
    proxy keeps its upstream connections, about 1 when it opens one per
    request. (Counted from TIME-WAIT sockets, so a short, quiet probe: in
    the load runs the kernel's tcp_max_tw_buckets and the reuse of
    TIME-WAIT ports on loopback would hide most of them.)"""
    before = time_wait(upstream)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(PROBE_REQUESTS):
            conn.request("GET", path)
            conn.getresponse().read()
    finally:
        conn.close()
    time.sleep(0.2)  # the last upstream close, if any
    return (time_wait(upstream) - before) / PROBE_REQUESTS


def median_of(runs):
    return {k: statistics.median(r[k] for r in runs)
            for k in ("rps", "p50_us", "p99_us", "proxy_cpu_us",
                      "upstream_cpu_us") if all(k in r for r in runs)}


def bench_one(args, name, n, tmp, procs, builds, user):
    """Both paths of one proxy for body size n: a dict for the report."""
    w = pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-{n}-", dir=tmp))
    docroot = w / "docroot"
    (docroot / "fcgi").mkdir(parents=True)
    (docroot / "fcgi" / "bench.php").write_text("")
    os.chmod(tmp, 0o711)
    os.chmod(w, 0o711)
    started = []
    # The machine's load when this proxy and size started: what else ran.
    result = {"proxy": name, "body_bytes": n, "paths": {},
              "loadavg_1min": os.getloadavg()[0]}
    try:
        fport = None
        up_pid = {}  # each upstream leads its own process group
        if name != "apache2-fcgid":
            p_log = w / "responder.log"
            fport = start_upstream(
                procs, [str(builds["responder"]), "--listen",
                        "tcp:127.0.0.1:0", "--body-bytes", str(n),
                        "--max-conns", "4096", "--max-reqs", "4096",
                        "--max-conn-reqs", "8", "--idle-timeout", "0"],
                p_log, "fcgi-responder")
            started.append(procs.running[-1])
            up_pid["fcgi"] = procs.running[-1].pid
        hport = start_upstream(
            procs, [str(builds["origin"]), "--listen", "tcp:127.0.0.1:0",
                    "--body-bytes", str(n), "--max-conns", "4096"],
            w / "origin.log", "fcs-http-origin")
        started.append(procs.running[-1])
        up_pid["http"] = procs.running[-1].pid
        port = free_port()
        conf = CONFS[name]
        extra = {}
        if name == "apache2-fcgid":
            extra = {"responder": builds["responder"], "body_bytes": n}
        argv = conf(w, port, fport, hport, docroot, user, **extra)
        env = {"PATH": SYSTEM_PATH}
        if name == "caddy":
            env.update(HOME=str(w / "home"), XDG_CONFIG_HOME=str(w / "config"),
                       XDG_DATA_HOME=str(w / "data"))
        log = w / "proxy.log"
        proxy = procs.start(argv, log, env=env, cwd=w)
        started.append(proxy)
        wait_listening(proxy, port, log, name)
        paths = {"fcgi": "/fcgi/bench.php", "http": "/http/bench"}
        for kind, path in paths.items():
            entry = {"path": path, "runs": []}
            result["paths"][kind] = entry
            try:
                entry["verified_body_bytes"] = check_path(port, path, n)
                entry["verified_status"] = 200
            except Failure as e:
                entry["error"] = str(e)
        live = [k for k in paths if "error" not in result["paths"][k]]
        upstream = {"fcgi": fport, "http": hport}
        for kind in live:
            if upstream[kind]:  # mod_fcgid's are Unix sockets
                try:
                    result["paths"][kind]["upstream_closes_per_request"] = \
                        probe_closes(port, paths[kind], upstream[kind])
                except (OSError, http.client.HTTPException) as e:
                    result["paths"][kind]["error"] = \
                        f"the probe: {type(e).__name__}: {e}"
        live = [k for k in paths if "error" not in result["paths"][k]]
        for kind in live if args.warmup else []:  # pools filled, workers spawned
            wrk(args, port, paths[kind], args.warmup, args.script)
        for _ in range(args.rounds):
            for kind in live:
                entry = result["paths"][kind]
                if "error" in entry:
                    continue
                groups = {"proxy_cpu_us": proxy.pid,
                          "upstream_cpu_us": up_pid.get(kind)}
                cpu = {k: group_cpu(g) for k, g in groups.items() if g}
                m = wrk(args, port, paths[kind], args.duration, args.script)
                for k, before in cpu.items():  # per request, in µs
                    used = group_cpu(groups[k]) - before
                    m[k] = used * 1e6 / max(m["requests"], 1)
                entry["runs"].append(m)
                why = run_ok(m, n)
                if why:
                    entry["error"] = why
        for kind in paths:
            entry = result["paths"][kind]
            if "error" not in entry:
                entry.update(median_of(entry["runs"]))
                # The bytes wrk counted, per response, over all the runs.
                entry["bytes_per_response"] = min(
                    r["bytes"] / r["requests"] for r in entry["runs"])
        f, h = result["paths"]["fcgi"], result["paths"]["http"]
        if "rps" in f and "rps" in h:
            result["ratio_rps"] = f["rps"] / h["rps"]
            # Each round's FastCGI run over the HTTP run right after it:
            # load that drifts during the whole measurement cancels out.
            ratios = [a["rps"] / b["rps"] for a, b in zip(f["runs"], h["runs"])]
            result["round_ratios"] = ratios
            result["round_ratio_median"] = statistics.median(ratios)
        if proxy.poll() is not None:
            result["note"] = f"{name} exited with {proxy.returncode}"
    finally:
        for p in reversed(started):
            procs.stop(p)
        shutil.rmtree(w, ignore_errors=True)
    return result


def fmt_us(us):
    return f"{us / 1000:.2f}" if us >= 1000 else f"{us / 1000:.3f}"


def report_markdown(results, args):
    lines = [
        f"wrk {args.threads} thread(s), {args.connections} connections, "
        f"{args.duration} s per run, {args.rounds} rounds "
        f"(fcgi, http, fcgi, http, ...); medians of the rounds, each "
        f"column on its own. Latency in ms. FastCGI/HTTP: of the median "
        f"req/s; per round: each FastCGI run over the HTTP run after it. "
        f"CPU: user + system time of the proxy's process group and of the "
        f"upstream per request (apache2-fcgid: its spawned responders are "
        f"in Apache's group).",
        "",
        "| proxy | body | FastCGI req/s | p50 | p99 | HTTP req/s | p50 | p99 "
        "| FastCGI/HTTP | per round: median (range) "
        "| upstream closes per request, FastCGI / HTTP "
        "| proxy CPU µs per request, FastCGI / HTTP "
        "| upstream CPU µs per request, FastCGI / HTTP |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: |"]
    for r in results:
        cells = [r["proxy"], f"{r['body_bytes']} B"]
        for kind in ("fcgi", "http"):
            e = r["paths"].get(kind, {})
            if "rps" in e:
                cells += [f"{e['rps']:.0f}", fmt_us(e["p50_us"]),
                          fmt_us(e["p99_us"])]
            else:
                why = e.get("error", r.get("error", "?")).replace("|", "\\|")
                cells += [f"failed: {why}", "", ""]
        cells.append(f"{r['ratio_rps']:.2f}" if "ratio_rps" in r else "")
        if "round_ratios" in r:
            cells.append(f"{r['round_ratio_median']:.2f} "
                         f"({min(r['round_ratios']):.2f}-"
                         f"{max(r['round_ratios']):.2f})")
        else:
            cells.append("")
        closes = []
        for kind in ("fcgi", "http"):
            e = r["paths"].get(kind, {})
            if "upstream_closes_per_request" in e:
                closes.append(f"{e['upstream_closes_per_request']:.2f}")
            else:
                closes.append("n/a" if kind == "fcgi" and
                              r["proxy"] == "apache2-fcgid" else "")
        cells.append(" / ".join(closes))
        for key in ("proxy_cpu_us", "upstream_cpu_us"):
            cells.append(" / ".join(
                f"{r['paths'][k][key]:.0f}" if key in r["paths"].get(k, {})
                else "n/a" for k in ("fcgi", "http")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"proxy_bench: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def main(argv=None):
    ap = Parser(
        description="Requests/s and p50/p99 latency of the same GET through "
                    "each proxy's FastCGI path and its HTTP reverse-proxy "
                    "path (docs/benchmarks.md).",
        epilog="Exit status: 0 all measured, 1 a path failed its check or a "
               "run, 2 usage, 3 a program missing, 4 a proxy or upstream did "
               "not start.")
    ap.add_argument("--proxies", default=",".join(PROXIES),
                    help="comma-separated, from: " + ", ".join(PROXIES) +
                         " (default: all)")
    ap.add_argument("--sizes", default="128,65536",
                    help="response body sizes in bytes (default 128,65536)")
    ap.add_argument("--duration", type=int, default=5,
                    help="seconds per wrk run (default 5)")
    ap.add_argument("--warmup", type=int, default=3,
                    help="seconds of unmeasured load per path first, so "
                         "pools fill and mod_fcgid spawns its processes (3)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="fcgi+http rounds; the report takes medians (5)")
    ap.add_argument("--connections", type=int, default=16,
                    help="wrk connections (default 16)")
    ap.add_argument("--threads", type=int, default=1,
                    help="wrk threads (default 1)")
    ap.add_argument("--build", default=os.environ.get(
        "FCS_BUILD_DIR", str(ROOT / "build" / "default")),
        help="the cmake build directory (default $FCS_BUILD_DIR or "
             "build/default)")
    ap.add_argument("--json", metavar="FILE",
                    help="also write every run and median to FILE")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return e.code
    names = [p for p in args.proxies.split(",") if p]
    bad = [p for p in names if p not in PROXIES]
    if bad or not names:
        print(f"proxy_bench: unknown proxy {bad[0] if bad else '(none)'!r} "
              f"(known: {', '.join(PROXIES)})", file=sys.stderr)
        return 2
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
        if not sizes or any(s < 1 or s > 16 << 20 for s in sizes):
            raise ValueError
    except ValueError:
        print(f"proxy_bench: --sizes takes byte counts 1..16777216, not "
              f"{args.sizes!r}", file=sys.stderr)
        return 2
    for opt in ("duration", "rounds", "connections", "threads"):
        if getattr(args, opt) < 1:
            print(f"proxy_bench: --{opt} must be at least 1", file=sys.stderr)
            return 2
    if args.warmup < 0:
        print("proxy_bench: --warmup must be at least 0", file=sys.stderr)
        return 2
    build = pathlib.Path(args.build)
    builds = {"responder": build / "responder" / "fcgi-responder",
              "origin": build / "bench" / "http_origin" / "fcs-http-origin"}
    for what, path in builds.items():
        if not os.access(path, os.X_OK):
            print(f"proxy_bench: {path} is missing: cmake --build "
                  f"--preset default --target fcgi-responder fcs-http-origin",
                  file=sys.stderr)
            return 3
    if not shutil.which("wrk"):
        print("proxy_bench: wrk is missing: bash scripts/install-deps.sh bench",
              file=sys.stderr)
        return 3
    for name in names:
        for f in NEEDS[name]:
            if not os.path.exists(f):
                print(f"proxy_bench: {name}: {f} is missing: "
                      "bash scripts/install-deps.sh proxies", file=sys.stderr)
                return 3
    user = None
    if os.getuid() == 0:  # the proxies that can keep root workers do
        user = (pwd.getpwuid(0).pw_name, "root")
    procs = Procs()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="proxy-bench-"))
    args.script = tmp / "summary.lua"
    args.script.write_text(WRK_SCRIPT)
    results = []
    status = 0
    old_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for name in names:
            for n in sizes:
                print(f"proxy_bench: {name}, {n} B", file=sys.stderr,
                      flush=True)
                try:
                    r = bench_one(args, name, n, tmp, procs, builds, user)
                except Failure as e:  # this proxy and size only
                    r = {"proxy": name, "body_bytes": n, "paths": {},
                         "error": str(e)}
                    status = max(status, e.status)
                results.append(r)
                if "ratio_rps" not in r:
                    status = max(status, 1)
    except Failure as e:
        print(f"proxy_bench: {e}", file=sys.stderr)
        return e.status
    except subprocess.TimeoutExpired:
        print("proxy_bench: wrk did not finish in time", file=sys.stderr)
        return 1
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGTERM, old_term)
    report = {"loadavg_after": os.getloadavg(),
              "wrk": {"threads": args.threads, "connections": args.connections,
                      "duration_s": args.duration, "rounds": args.rounds,
                      "warmup_s": args.warmup, "statistic": "median"},
              "upstream_connections": {n: dict(zip(("fcgi", "http"), REUSE[n]))
                                       for n in names},
              "results": results}
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    print(report_markdown(results, args))
    for r in results:
        for kind, e in r["paths"].items():
            if "error" in e:
                print(f"proxy_bench: {r['proxy']} {r['body_bytes']} B {kind}: "
                      f"{e['error']}", file=sys.stderr)
        if "error" in r:
            print(f"proxy_bench: {r['proxy']} {r['body_bytes']} B: "
                  f"{r['error']}", file=sys.stderr)
    return status
