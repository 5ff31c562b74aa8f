#!/usr/bin/perl
# Sends one FastCGI request to a freshly started mono-fastcgi-server4 and
# waits for its END_REQUEST, so that ASP.NET's start-up (the application
# domain, loading the handler) is paid before any case runs.
#   mono-fastcgi-warmup.pl unix:PATH|tcp:HOST:PORT SECONDS
use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;

my ($addr, $limit) = @ARGV;
die "usage: $0 unix:PATH|tcp:HOST:PORT SECONDS\n" unless defined $limit && $limit =~ /^\d+$/;
my $deadline = time + $limit;

sub record { my ($type, $body) = @_; return pack('CCnnCx', 1, $type, 1, length $body, 0) . $body; }
sub pair { my ($n, $v) = @_; return pack('CC', length $n, length $v) . $n . $v; }

my $request = record(1, pack('nCx5', 1, 0))
  . record(4, pair('REQUEST_METHOD', 'GET') . pair('SCRIPT_NAME', '/warmup') . pair('REQUEST_URI', '/warmup')
    . pair('SERVER_PROTOCOL', 'HTTP/1.1') . pair('SERVER_NAME', 'localhost') . pair('SERVER_PORT', '80'))
  . record(4, '') . record(5, '');

while (time < $deadline) {
  my $s = $addr =~ /^unix:(.*)$/ ? IO::Socket::UNIX->new(Peer => $1)
        : $addr =~ /^tcp:(.*):(\d+)$/ ? IO::Socket::INET->new(PeerAddr => $1, PeerPort => $2)
        : die "$0: address must be unix:PATH or tcp:HOST:PORT, not '$addr'\n";
  if (!$s) { select undef, undef, undef, 0.2; next; }
  print $s $request;
  my $in = '';
  # Reads whole records until END_REQUEST (type 3) or the peer closes.
  while (time < $deadline) {
    my $r = sysread $s, $in, 65536, length $in;
    last unless $r;
    while (length $in >= 8) {
      my (undef, $type, undef, $clen, $plen) = unpack 'CCnnC', $in;
      last if length $in < 8 + $clen + $plen;
      exit 0 if $type == 3;
      substr $in, 0, 8 + $clen + $plen, '';
    }
  }
}
die "$0: no END_REQUEST from $addr within $limit seconds\n";
