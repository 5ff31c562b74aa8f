#!/usr/bin/perl
# Echo responder on Net::Async::FastCGI (IO::Async): prints every param and
# the body in the reference responder's line format. The library keeps
# params in a hash, so they come out sorted and duplicates collapse.
#   net-async-fastcgi-echo.pl unix PATH | tcp HOST PORT
use strict;
use warnings;
use IO::Async::Loop;
use IO::Socket::UNIX;
use Net::Async::FastCGI;

use FindBin;
use lib $FindBin::Bin;
use EchoText qw(param_lines);

my ($kind, @where) = @ARGV;
die "usage: $0 unix PATH | tcp HOST PORT\n"
  unless ($kind // '') eq 'unix' && @where == 1 || ($kind // '') eq 'tcp' && @where == 2;

my $loop = IO::Async::Loop->new;
my $fcgi = Net::Async::FastCGI->new(
  default_encoding => undef,    # bytes in, bytes out
  on_request => sub {
    my (undef, $req) = @_;
    my $params = $req->params;
    my $body = $req->read_stdin // '';
    my $out = "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nrole RESPONDER\n";
    $out .= sprintf "params %d\n", scalar keys %$params;
    $out .= param_lines($params);
    $out .= sprintf "stdin %d\n%s\nend\n", length $body, $body;
    $req->print_stdout($out);
    $req->print_stderr($params->{FCS_STDERR}) if length($params->{FCS_STDERR} // '');
    $req->finish(0);
  },
);
$loop->add($fcgi);
if ($kind eq 'unix') {
  unlink $where[0];
  my $sock = IO::Socket::UNIX->new(Local => $where[0], Listen => 128)
    or die "$0: cannot listen on $where[0]: $!\n";
  $fcgi->configure(handle => $sock);
} else {
  $fcgi->listen(host => $where[0], service => $where[1], on_listen_error => sub { die "$0: cannot listen: $_[-1]\n" },
    on_resolve_error => sub { die "$0: cannot resolve $where[0]: $_[-1]\n" });
}
$loop->run;
