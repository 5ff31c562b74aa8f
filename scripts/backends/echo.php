<?php
// Echo handler for php-fpm: prints every param and the body in the
// reference responder's line format (docs/conformance.md, "Echo format").
function esc($s) {
    return preg_replace_callback('/[^\x21-\x7e]|[%=]/', function ($m) {
        return sprintf('%%%02X', ord($m[0]));
    }, $s);
}
header('Content-Type: text/plain');
$body = file_get_contents('php://input');
echo "role PHP\n";
foreach ($_SERVER as $k => $v) {
    if (is_string($v)) {
        echo 'param ', esc($k), '=', esc($v), "\n";
    }
}
printf("stdin %d\n%s\nend\n", strlen($body), $body);
