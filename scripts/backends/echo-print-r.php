<?php
// Echo handler for php-fpm: print_r of $_SERVER, then the body
// (php://input) as it came.
header('Content-Type: text/plain');
print_r($_SERVER);
echo file_get_contents('php://input');
