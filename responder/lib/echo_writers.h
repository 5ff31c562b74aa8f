/* The body of the echo in each format (docs/responder.md, "Echo
 * formats"), after the CGI headers fcsr_echo_write puts first. */
#ifndef FCSR_ECHO_WRITERS_H
#define FCSR_ECHO_WRITERS_H

#include "echo.h"
#include "echo_text.h"

typedef void fcsr_echo_writer(fcsr_text *t, const fcsr_echo_request *rq,
                              const fcsr_knobs *knobs);

fcsr_echo_writer fcsr_echo_lines, fcsr_echo_json, fcsr_echo_printenv,
    fcsr_echo_var_dump, fcsr_echo_print_r;

#endif
