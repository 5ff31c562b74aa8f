#include "fcs/proto.h"

#include <string.h>

void fcs_header_decode(const uint8_t in[FCS_HEADER_LEN], fcs_header *h) {
  h->version = in[0];
  h->type = in[1];
  h->request_id = (uint16_t)((in[2] << 8) | in[3]);
  h->content_length = (uint16_t)((in[4] << 8) | in[5]);
  h->padding_length = in[6];
  h->reserved = in[7];
}

void fcs_header_encode(const fcs_header *h, uint8_t out[FCS_HEADER_LEN]) {
  out[0] = h->version;
  out[1] = h->type;
  out[2] = (uint8_t)(h->request_id >> 8);
  out[3] = (uint8_t)h->request_id;
  out[4] = (uint8_t)(h->content_length >> 8);
  out[5] = (uint8_t)h->content_length;
  out[6] = h->padding_length;
  out[7] = h->reserved;
}

void fcs_begin_body_decode(const uint8_t in[FCS_BODY_LEN], fcs_begin_body *b) {
  b->role = (uint16_t)((in[0] << 8) | in[1]);
  b->flags = in[2];
  memcpy(b->reserved, in + 3, 5);
}

void fcs_begin_body_encode(const fcs_begin_body *b, uint8_t out[FCS_BODY_LEN]) {
  out[0] = (uint8_t)(b->role >> 8);
  out[1] = (uint8_t)b->role;
  out[2] = b->flags;
  memcpy(out + 3, b->reserved, 5);
}

void fcs_end_body_decode(const uint8_t in[FCS_BODY_LEN], fcs_end_body *b) {
  b->app_status = ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) |
                  ((uint32_t)in[2] << 8) | in[3];
  b->protocol_status = in[4];
  memcpy(b->reserved, in + 5, 3);
}

void fcs_end_body_encode(const fcs_end_body *b, uint8_t out[FCS_BODY_LEN]) {
  out[0] = (uint8_t)(b->app_status >> 24);
  out[1] = (uint8_t)(b->app_status >> 16);
  out[2] = (uint8_t)(b->app_status >> 8);
  out[3] = (uint8_t)b->app_status;
  out[4] = b->protocol_status;
  memcpy(out + 5, b->reserved, 3);
}

void fcs_unknown_type_body_decode(const uint8_t in[FCS_BODY_LEN],
                                  fcs_unknown_type_body *b) {
  b->type = in[0];
  memcpy(b->reserved, in + 1, 7);
}

void fcs_unknown_type_body_encode(const fcs_unknown_type_body *b,
                                  uint8_t out[FCS_BODY_LEN]) {
  out[0] = b->type;
  memcpy(out + 1, b->reserved, 7);
}

int fcs_type_is_known(uint8_t type) {
  return type >= FCS_BEGIN_REQUEST && type <= FCS_MAXTYPE;
}

int fcs_type_is_management(uint8_t type) {
  return type == FCS_GET_VALUES || type == FCS_GET_VALUES_RESULT ||
         type == FCS_UNKNOWN_TYPE;
}

int fcs_type_is_stream(uint8_t type) {
  return type == FCS_PARAMS || type == FCS_STDIN || type == FCS_STDOUT ||
         type == FCS_STDERR || type == FCS_DATA;
}

int fcs_type_is_to_app(uint8_t type) {
  return type == FCS_BEGIN_REQUEST || type == FCS_ABORT_REQUEST ||
         type == FCS_PARAMS || type == FCS_STDIN || type == FCS_DATA ||
         type == FCS_GET_VALUES;
}

int fcs_type_is_to_server(uint8_t type) {
  return type == FCS_END_REQUEST || type == FCS_STDOUT || type == FCS_STDERR ||
         type == FCS_GET_VALUES_RESULT || type == FCS_UNKNOWN_TYPE;
}

const char *fcs_type_name(uint8_t type) {
  static const char *const names[] = {NULL,
                                      "FCGI_BEGIN_REQUEST",
                                      "FCGI_ABORT_REQUEST",
                                      "FCGI_END_REQUEST",
                                      "FCGI_PARAMS",
                                      "FCGI_STDIN",
                                      "FCGI_STDOUT",
                                      "FCGI_STDERR",
                                      "FCGI_DATA",
                                      "FCGI_GET_VALUES",
                                      "FCGI_GET_VALUES_RESULT",
                                      "FCGI_UNKNOWN_TYPE"};
  return fcs_type_is_known(type) ? names[type] : "UNKNOWN";
}

const char *fcs_role_name(uint16_t role) {
  switch (role) {
  case FCS_RESPONDER:
    return "FCGI_RESPONDER";
  case FCS_AUTHORIZER:
    return "FCGI_AUTHORIZER";
  case FCS_FILTER:
    return "FCGI_FILTER";
  default:
    return "UNKNOWN";
  }
}

const char *fcs_protocol_status_name(uint8_t status) {
  switch (status) {
  case FCS_REQUEST_COMPLETE:
    return "FCGI_REQUEST_COMPLETE";
  case FCS_CANT_MPX_CONN:
    return "FCGI_CANT_MPX_CONN";
  case FCS_OVERLOADED:
    return "FCGI_OVERLOADED";
  case FCS_UNKNOWN_ROLE:
    return "FCGI_UNKNOWN_ROLE";
  default:
    return "UNKNOWN";
  }
}
