#!/usr/bin/perl
# Mojolicious::Lite echo app served by Mojo::Server::FastCGI: prints every
# param (the CGI environment Mojo built the request from, sorted; a repeated
# name appears once) and the body in the reference responder's line format.
#   mojo-fastcgi-echo.pl fastcgi   (fd 0: the listening socket)
use Mojolicious::Lite -signatures;

use FindBin;
use lib $FindBin::Bin;
use EchoText qw(param_lines);

# Mojolicious gzips a page of 860 bytes or more when the request accepts
# gzip (HTTP_ACCEPT_ENCODING): the echo must stay readable.
app->renderer->compress(0);

any '/*rest' => {rest => ''} => sub ($c) {
  my $env = $c->req->env;
  my $body = $c->req->body;
  my $out = sprintf "role %s\nparams %d\n", $ENV{FCGI_ROLE} // '-', scalar keys %$env;
  $out .= param_lines($env);
  $out .= sprintf "stdin %d\n%s\nend\n", length $body, $body;
  $c->res->headers->content_type('text/plain');
  $c->render(data => $out);
};

app->start;
