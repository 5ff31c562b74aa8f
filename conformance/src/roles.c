#include "roles.h"

#include <string.h>

#include "fcs/proto.h"

static const struct {
  const char *name;
  uint16_t role;
} roles[] = {{"responder", FCS_RESPONDER},
             {"authorizer", FCS_AUTHORIZER},
             {"filter", FCS_FILTER}};

const char *role_name(uint16_t role) {
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
    if (roles[i].role == role)
      return roles[i].name;
  return NULL;
}

uint16_t role_named(const char *name) {
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
    if (strcmp(roles[i].name, name) == 0)
      return roles[i].role;
  return 0;
}
