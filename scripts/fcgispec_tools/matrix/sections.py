"""Headings of the sections the cases cite: FastCGI 1.0 specification
sections for backend cases ("3.3"); for proxy cases (docs/proxies.md) the
RFC 3875 meta-variable ("rfc3875-4.1.2") or response section
("rfc3875-6.3.3"), the FastCGI section
("fcgi-3.3"), HTTP message framing ("http") and security advisories
("trust")."""

TITLES = {
    "3.3": "Records",
    "3.4": "Name-Value Pairs",
    "3.5": "Closing Transport Connections",
    "4.1": "FCGI_GET_VALUES, FCGI_GET_VALUES_RESULT",
    "4.2": "FCGI_UNKNOWN_TYPE",
    "5.1": "FCGI_BEGIN_REQUEST",
    "5.2": "Name-Value Pair Stream: FCGI_PARAMS",
    "5.3": "Byte Streams: FCGI_STDIN, FCGI_DATA, FCGI_STDOUT, FCGI_STDERR",
    "5.4": "FCGI_ABORT_REQUEST",
    "5.5": "FCGI_END_REQUEST",
    "6.1": "Role Protocols",
    "6.2": "Responder",
    "6.3": "Authorizer",
    "6.4": "Filter",
    "7": "Errors",
}

# RFC 3875 (CGI/1.1) section 4.1, the request meta-variables, and section 6,
# the response the proxy reads from the app.
RFC3875_TITLES = {
    "4.1": "Request Meta-Variables",
    "4.1.1": "AUTH_TYPE",
    "4.1.2": "CONTENT_LENGTH",
    "4.1.3": "CONTENT_TYPE",
    "4.1.4": "GATEWAY_INTERFACE",
    "4.1.5": "PATH_INFO",
    "4.1.6": "PATH_TRANSLATED",
    "4.1.7": "QUERY_STRING",
    "4.1.8": "REMOTE_ADDR",
    "4.1.9": "REMOTE_HOST",
    "4.1.10": "REMOTE_IDENT",
    "4.1.11": "REMOTE_USER",
    "4.1.12": "REQUEST_METHOD",
    "4.1.13": "SCRIPT_NAME",
    "4.1.14": "SERVER_NAME",
    "4.1.15": "SERVER_PORT",
    "4.1.16": "SERVER_PROTOCOL",
    "4.1.17": "SERVER_SOFTWARE",
    "4.1.18": "Protocol-Specific Meta-Variables (HTTP_*)",
    # Section 6: the CGI response, which a proxy turns into HTTP.
    "6": "CGI Response",
    "6.1": "Response Handling",
    "6.2": "Response Types",
    "6.2.1": "Document Response",
    "6.2.2": "Local Redirect Response",
    "6.2.3": "Client Redirect Response",
    "6.2.4": "Client Redirect Response with Document",
    "6.3": "Response Header Fields",
    "6.3.1": "Content-Type",
    "6.3.2": "Location",
    "6.3.3": "Status",
    "6.3.4": "Protocol-Specific Header Fields",
    "6.3.5": "Extension Header Fields",
    "6.4": "Response Message-Body",
}

# The group of a proxy case that answers as the application (its reply
# lines): "response:" + its section, listed after every request-side group.
RESPONSE = "response:"

# Proxy sections by prefix, in the order the page lists them: what the
# params say, how the records are written, HTTP framing, advisories.
FAMILIES = [("rfc3875-", "RFC 3875", RFC3875_TITLES),
            ("fcgi-", "FastCGI", TITLES)]
NAMED = {"http": "HTTP message framing (RFC 9112)",
         "trust": "Security advisories"}


def numbered(number, names):
    """'4.2 FCGI_UNKNOWN_TYPE', or the number alone when NAMES lacks it."""
    name = names.get(number)
    return f"{number} {name}" if name else number


def title(section):
    """'4.2 FCGI_UNKNOWN_TYPE', 'RFC 3875 4.1.2 CONTENT_LENGTH', 'FastCGI
    3.3 Records', 'Security advisories', 'Response side: FastCGI 3.3
    Records'; a section missing here keeps its name ('section 9.9')."""
    if section.startswith(RESPONSE):
        return "Response side: " + title(section[len(RESPONSE):])
    for prefix, source, names in FAMILIES:
        if section.startswith(prefix):
            return f"{source} {numbered(section[len(prefix):], names)}"
    if section in NAMED:
        return NAMED[section]
    if section in TITLES:
        return numbered(section, TITLES)
    return f"section {section}"


def numeric(number):
    """Numeric order, so that 10.1 comes after 9.2."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p)
            for p in number.split(".")]


def sort_key(section):
    """Backend sections by number; then the proxy families in FAMILIES
    order, each by number; then http and trust; then anything else by
    name; then the response side's groups in the same order."""
    if section.startswith(RESPONSE):
        rank, rest = sort_key(section[len(RESPONSE):])
        return (100 + rank, rest)
    if section[:1].isdigit():
        return (0, numeric(section))
    for rank, (prefix, _, _) in enumerate(FAMILIES, 1):
        if section.startswith(prefix):
            return (rank, numeric(section[len(prefix):]))
    named = list(NAMED)
    rank = len(FAMILIES) + 1
    if section in NAMED:
        return (rank + named.index(section), [])
    return (rank + len(named), numeric(section))
