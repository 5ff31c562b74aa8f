# The pieces of the reference responder's echo format (docs/responder.md)
# that the Perl echo apps share.
package EchoText;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(esc param_lines json_page printenv_page);

# Bytes outside printable ASCII, and % and =, as %XX.
sub esc {
  my ($s) = @_;
  $s =~ s/([^\x21-\x7e]|[%=])/sprintf('%%%02X', ord $1)/ge;
  return $s;
}

# "param NAME=VALUE" lines for a hash of params, sorted by name.
sub param_lines {
  my ($params) = @_;
  return join '', map { 'param ' . esc($_) . '=' . esc($params->{$_}) . "\n" } sort keys %$params;
}

# The params and the body as one JSON object, {"params":{...},"stdin":"..."},
# keys sorted. The strings hold the bytes received as characters, written
# as UTF-8: their code points are the bytes (the Latin-1 reading).
sub json_page {
  my ($params, $body) = @_;
  require JSON::PP;
  return JSON::PP->new->utf8->canonical->encode({params => $params, stdin => $body}) . "\n";
}

# printenv style: NAME=VALUE lines sorted by name, bytes raw, then an empty
# line and the body.
sub printenv_page {
  my ($params, $body) = @_;
  return join('', map { "$_=$params->{$_}\n" } sort keys %$params) . "\n" . $body;
}

1;
