"""Headings of the FastCGI 1.0 specification sections the cases cite."""

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


def title(section):
    """'4.2 FCGI_UNKNOWN_TYPE'; a section missing here keeps just its number."""
    name = TITLES.get(section)
    return f"{section} {name}" if name else f"section {section}"


def sort_key(section):
    """Numeric order, so that 10.1 comes after 9.2."""
    return [int(p) if p.isdigit() else p for p in section.split(".")]
