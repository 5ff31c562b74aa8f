#include "fcs/error.h"

static const char *const err_names[] = {
#define FCS_ERR_NAME(name, msg) #name,
    FCS_ERRORS(FCS_ERR_NAME)
#undef FCS_ERR_NAME
};

static const char *const err_messages[] = {
#define FCS_ERR_MSG(name, msg) msg,
    FCS_ERRORS(FCS_ERR_MSG)
#undef FCS_ERR_MSG
};

const char *fcs_err_name(fcs_err e) {
  return (unsigned)e < FCS_E_COUNT ? err_names[e] : "UNKNOWN_ERROR";
}

const char *fcs_err_message(fcs_err e) {
  return (unsigned)e < FCS_E_COUNT ? err_messages[e] : "unknown error code";
}
