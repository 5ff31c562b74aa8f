<?php
// Echo handler for php-fpm printing $_SERVER and the body (php://input) as
// one JSON object, {"server":{...},"body":"..."}, the way PHP applications
// usually do: json_encode with bytes that are not UTF-8 replaced by U+FFFD
// (readers treat those strings as not comparable).
header('Content-Type: application/json');
$page = ['server' => $_SERVER, 'body' => file_get_contents('php://input')];
echo json_encode($page, JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES), "\n";
