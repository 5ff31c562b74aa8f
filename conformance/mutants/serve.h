/* Serves one connection with the reference responder and a broken rule. */
#ifndef FCS_MUTANT_SERVE_H
#define FCS_MUTANT_SERVE_H

#include "rules.h"

/* Runs until the connection ends; closes fd. */
void serve_connection(int fd, mutant_rule rule);

#endif
