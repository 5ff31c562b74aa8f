<?php
// Echo handler for php-fpm: var_dump of $_SERVER, then of the body
// (php://input). var_dump gives each string's length, so every byte reads
// back exactly.
header('Content-Type: text/plain');
var_dump($_SERVER);
var_dump(file_get_contents('php://input'));
