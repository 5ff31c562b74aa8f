#include "names.h"

const char *decoder_event_name(fcs_event_type t) {
  switch (t) {
  case FCS_EV_NONE:
    return "NONE";
  case FCS_EV_HEADER:
    return "HEADER";
  case FCS_EV_CONTENT:
    return "CONTENT";
  case FCS_EV_RECORD_END:
    return "RECORD_END";
  case FCS_EV_STREAM_END:
    return "STREAM_END";
  case FCS_EV_RECORD:
    return "RECORD";
  case FCS_EV_ERROR:
    return "ERROR";
  }
  return "?";
}

const char *asm_event_name(fcs_asm_event_type t) {
  switch (t) {
  case FCS_AE_NONE:
    return "NONE";
  case FCS_AE_GET_VALUES:
    return "GET_VALUES";
  case FCS_AE_GET_VALUES_RESULT:
    return "GET_VALUES_RESULT";
  case FCS_AE_UNKNOWN_TYPE:
    return "UNKNOWN_TYPE";
  case FCS_AE_UNKNOWN_RECORD:
    return "UNKNOWN_RECORD";
  case FCS_AE_BEGIN:
    return "BEGIN";
  case FCS_AE_REFUSED:
    return "REFUSED";
  case FCS_AE_PARAMS:
    return "PARAMS";
  case FCS_AE_STREAM_DATA:
    return "STREAM_DATA";
  case FCS_AE_STREAM_END:
    return "STREAM_END";
  case FCS_AE_ABORT:
    return "ABORT";
  case FCS_AE_END_REQUEST:
    return "END_REQUEST";
  case FCS_AE_IGNORED:
    return "IGNORED";
  case FCS_AE_VIOLATION:
    return "VIOLATION";
  case FCS_AE_ERROR:
    return "ERROR";
  }
  return "?";
}
