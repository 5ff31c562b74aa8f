#!/usr/bin/perl
# Echo responder on Net::Async::FastCGI (IO::Async): prints every param and
# the body in the reference responder's line format, or with --format as
# one JSON object or printenv lines (EchoText.pm). The library keeps params
# in a hash, so they come out sorted and duplicates collapse.
#   net-async-fastcgi-echo.pl [--format lines|json|printenv] unix PATH | tcp HOST PORT
use strict;
use warnings;
use IO::Async::Loop;
use IO::Socket::UNIX;
use Net::Async::FastCGI;

use FindBin;
use lib $FindBin::Bin;
use EchoText qw(param_lines json_page printenv_page);

my $format = 'lines';
($format, @ARGV) = @ARGV[1 .. $#ARGV] if ($ARGV[0] // '') eq '--format';
my ($kind, @where) = @ARGV;
die "usage: $0 [--format lines|json|printenv] unix PATH | tcp HOST PORT\n"
  unless ($format // '') =~ /^(lines|json|printenv)$/
  && (($kind // '') eq 'unix' && @where == 1 || ($kind // '') eq 'tcp' && @where == 2);

# The echo page's body in the chosen format.
sub page {
  my ($params, $body) = @_;
  return json_page($params, $body) if $format eq 'json';
  return printenv_page($params, $body) if $format eq 'printenv';
  return "role RESPONDER\n" . sprintf("params %d\n", scalar keys %$params) . param_lines($params)
    . sprintf("stdin %d\n%s\nend\n", length $body, $body);
}

my $loop = IO::Async::Loop->new;
my $fcgi = Net::Async::FastCGI->new(
  on_request => sub {
    my (undef, $req) = @_;
    # Bytes in, bytes out. (The library's default_encoding => undef does not
    # take: its constructor sets UTF-8 over it, and STDIN would come back
    # decoded, with U+FFFD for bytes that are not UTF-8.)
    $req->set_encoding(undef);
    my $params = $req->params;
    my $body = $req->read_stdin // '';
    $req->print_stdout("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" . page($params, $body));
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
