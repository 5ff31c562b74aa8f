/* Serves one connection with the reference responder and a broken rule. */
#ifndef FSP_MUTANT_SERVE_H
#define FSP_MUTANT_SERVE_H

#include "rules.h"

/* Runs until the connection ends; closes fd. */
void serve_connection(int fd, mutant_rule rule);

#endif
