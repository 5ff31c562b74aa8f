"""WSGI echo application for uWSGI's FastCGI socket: prints every CGI
param uWSGI put in the environ and the request body, in the reference
responder's line format (docs/responder.md)."""


def _esc(data):
    return "".join(chr(c) if 0x21 <= c <= 0x7E and c not in b"%=" else "%%%02X" % c
                   for c in data)


def _raw(text):
    # uWSGI decodes params as latin-1 (PEP 3333), so this gives back the bytes
    # received.
    return text.encode("latin-1")


def application(environ, start_response):
    body = environ["wsgi.input"].read()
    lines = ["role UWSGI"]
    for name in sorted(k for k, v in environ.items()
                       if isinstance(v, str) and not k.startswith(("wsgi.", "uwsgi."))):
        lines.append("param %s=%s" % (_esc(_raw(name)), _esc(_raw(environ[name]))))
    lines.append("stdin %d" % len(body))
    out = ("\n".join(lines) + "\n").encode("latin-1") + body + b"\nend\n"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [out]
