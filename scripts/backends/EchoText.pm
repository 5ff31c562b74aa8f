# The pieces of the reference responder's echo format (docs/responder.md)
# that the Perl echo apps share.
package EchoText;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(esc param_lines);

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

1;
