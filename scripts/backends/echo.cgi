#!/usr/bin/perl
# Echo handler for fcgiwrap (a CGI program): prints every environment
# variable and the body in the reference responder's line format.
use strict;
use warnings;
binmode STDIN;
binmode STDOUT;
sub esc { my $s = shift; $s =~ s/([^\x21-\x7e]|[%=])/sprintf('%%%02X', ord $1)/ge; return $s; }
local $/;
my $body = <STDIN> // '';
print "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nrole CGI\n";
print 'param ', esc($_), '=', esc($ENV{$_}), "\n" for sort keys %ENV;
printf "stdin %d\n%s\nend\n", length $body, $body;
