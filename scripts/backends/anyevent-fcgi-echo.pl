#!/usr/bin/perl
# Echo responder on AnyEvent::FCGI: prints every param and the body in the
# reference responder's line format. The library keeps params in a hash,
# so they come out sorted and duplicates collapse.
#   anyevent-fcgi-echo.pl unix PATH | tcp HOST PORT
use strict;
use warnings;
use AnyEvent;
use AnyEvent::FCGI;

use FindBin;
use lib $FindBin::Bin;
use EchoText qw(param_lines);

my ($kind, @where) = @ARGV;
die "usage: $0 unix PATH | tcp HOST PORT\n"
  unless ($kind // '') eq 'unix' && @where == 1 || ($kind // '') eq 'tcp' && @where == 2;

unlink $where[0] if $kind eq 'unix';
my $fcgi = AnyEvent::FCGI->new(
  ($kind eq 'unix' ? (unix => $where[0]) : (host => $where[0], port => $where[1])),
  on_request => sub {
    my $req = shift;
    my $params = $req->params;
    my $body = $req->read_stdin // '';
    my $out = "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nrole RESPONDER\n";
    $out .= sprintf "params %d\n", scalar keys %$params;
    $out .= param_lines($params);
    $out .= sprintf "stdin %d\n%s\nend\n", length $body, $body;
    $req->print_stdout($out);
    $req->print_stderr($params->{FCS_STDERR}) if length($params->{FCS_STDERR} // '');
    $req->finish;
  },
);
AnyEvent->condvar->recv;
