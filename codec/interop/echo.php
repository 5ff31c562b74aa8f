<?php
// Echo script for the php-fpm cross-check: answers with the request's
// params and body in the format of echo_format.h.
header('Content-Type: application/octet-stream');
$params = array_filter($_SERVER, 'is_scalar');
$body = file_get_contents('php://input');
echo 'params ', count($params), "\n";
foreach ($params as $name => $value) {
    echo $name, '=', $value, "\n";
}
echo 'stdin ', strlen($body), "\n", $body;
// With fastcgi.logging on (the default) this becomes an FCGI_STDERR record.
error_log('echo: ' . count($params) . ' params, ' . strlen($body) . ' body bytes');
