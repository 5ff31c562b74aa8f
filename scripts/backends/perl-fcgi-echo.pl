#!/usr/bin/perl
# Echo handler on Perl's FCGI module (Debian libfcgi-perl): prints every
# param, the body and, for a Filter, its FCGI_DATA in the reference
# responder's line format (docs/responder.md).
#   perl-fcgi-echo.pl SOCKET   (a Unix socket path, or HOST:PORT)
use strict;
use warnings;
use FCGI;
use IO::Handle;
use FindBin;
use lib $FindBin::Bin;
use EchoText qw(param_lines);

my $where = shift // die "usage: perl-fcgi-echo.pl SOCKET_PATH|HOST:PORT\n";
my $socket = FCGI::OpenSocket($where, 16) or die "perl-fcgi-echo: cannot listen on $where\n";
my ($in, $out, $err) = (IO::Handle->new, IO::Handle->new, IO::Handle->new);
my %env;
my $req = FCGI::Request($in, $out, $err, \%env, $socket);

sub slurp {
  my $all = '';
  while (read($in, my $chunk, 65536)) { $all .= $chunk; }
  return $all;
}

while ($req->Accept() >= 0) {
  my $body = slurp();
  my $text = "Content-Type: text/plain\r\n\r\nrole PERL-FCGI\n";
  $text .= param_lines(\%env);
  $text .= "stdin " . length($body) . "\n$body\n";
  # A Filter's file follows STDIN on the same handle once the module is
  # told to switch to the DATA stream.
  if (($env{FCGI_ROLE} // '') eq 'FILTER') {
    $req->StartFilterData();
    my $data = slurp();
    $text .= "data " . length($data) . "\n$data\n";
  }
  print $out $text, "end\n";
  $req->Finish();
}
