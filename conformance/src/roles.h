/* The names of FastCGI's roles (fcs/proto.h) in case files and on command
 * lines: responder, authorizer, filter. The one table of them in the
 * runner and its tools. */
#ifndef FSP_ROLES_H
#define FSP_ROLES_H

#include <stdint.h>

/* role's name, or NULL for another number. */
const char *role_name(uint16_t role);
/* The role name names, or 0. */
uint16_t role_named(const char *name);

#endif
