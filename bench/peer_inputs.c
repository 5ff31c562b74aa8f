/* Workload d's input: nginx-like responder requests, built with the codec's
 * encoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/encoder.h"
#include "peer.h"

#define REQUEST_ID 1

const char *const peer_lookups[PEER_LOOKUPS] = {
    "REQUEST_METHOD",       "REQUEST_URI",
    "QUERY_STRING",         "CONTENT_TYPE",
    "CONTENT_LENGTH",       "SCRIPT_FILENAME",
    "REMOTE_ADDR",          "HTTP_HOST",
    "HTTP_COOKIE",          "HTTP_USER_AGENT",
    "HTTP_ACCEPT_LANGUAGE", "HTTP_AUTHORIZATION"};

/* What nginx 1.22 sends for a POST to a PHP front controller, in its order:
 * Debian's snippets/fastcgi-php.conf (PATH_INFO, then its include of
 * fastcgi.conf: fastcgi_params with SCRIPT_FILENAME, plus Debian's
 * REMOTE_USER), then one HTTP_* pair per request header of a current
 * browser behind a proxy. param_value gives the values written here in
 * parentheses: REMOTE_PORT and HTTP_X_REQUEST_ID change from request to
 * request (keeping their length), the content type and length follow the
 * body. */
static const char *const params[][2] = {
    {"PATH_INFO", "/articles/2024/fastcgi-benchmarks"},
    {"SCRIPT_FILENAME", "/var/www/example.com/public/index.php"},
    {"QUERY_STRING", "page=2&sort=date&filter=active&q=fastcgi+benchmark"},
    {"REQUEST_METHOD", "POST"},
    {"CONTENT_TYPE", "(body)"},
    {"CONTENT_LENGTH", "(body)"},
    {"SCRIPT_NAME", "/index.php"},
    {"REQUEST_URI", "/index.php/articles/2024/fastcgi-benchmarks?page=2&sort="
                    "date&filter=active&q=fastcgi+benchmark"},
    {"DOCUMENT_URI", "/index.php/articles/2024/fastcgi-benchmarks"},
    {"DOCUMENT_ROOT", "/var/www/example.com/public"},
    {"SERVER_PROTOCOL", "HTTP/1.1"},
    {"REQUEST_SCHEME", "https"},
    {"HTTPS", "on"},
    {"GATEWAY_INTERFACE", "CGI/1.1"},
    {"SERVER_SOFTWARE", "nginx/1.22.1"},
    {"REMOTE_ADDR", "203.0.113.57"},
    {"REMOTE_PORT", "(varying)"},
    {"REMOTE_USER", ""}, /* sent empty when no one logged in */
    {"SERVER_ADDR", "192.0.2.10"},
    {"SERVER_PORT", "443"},
    {"SERVER_NAME", "www.example.com"},
    {"REDIRECT_STATUS", "200"},
    {"HTTP_HOST", "www.example.com"},
    {"HTTP_CONNECTION", "keep-alive"},
    {"HTTP_CONTENT_TYPE", "(body)"},
    {"HTTP_CONTENT_LENGTH", "(body)"},
    {"HTTP_CACHE_CONTROL", "max-age=0"},
    {"HTTP_SEC_CH_UA", "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", "
                       "\"Google Chrome\";v=\"120\""},
    {"HTTP_SEC_CH_UA_MOBILE", "?0"},
    {"HTTP_SEC_CH_UA_PLATFORM", "\"Linux\""},
    {"HTTP_ORIGIN", "https://www.example.com"},
    {"HTTP_UPGRADE_INSECURE_REQUESTS", "1"},
    {"HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                        "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"},
    {"HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,"
                    "image/avif,image/webp,image/apng,*/*;q=0.8,application/"
                    "signed-exchange;v=b3;q=0.7"},
    {"HTTP_SEC_FETCH_SITE", "same-origin"},
    {"HTTP_SEC_FETCH_MODE", "navigate"},
    {"HTTP_SEC_FETCH_USER", "?1"},
    {"HTTP_SEC_FETCH_DEST", "document"},
    {"HTTP_REFERER", "https://www.example.com/articles/2024/?page=1"},
    {"HTTP_ACCEPT_ENCODING", "gzip, deflate, br"},
    {"HTTP_ACCEPT_LANGUAGE", "en-US,en;q=0.9,de;q=0.8"},
    {"HTTP_X_REQUEST_ID", "(varying)"},
    {"HTTP_X_FORWARDED_FOR", "198.51.100.23, 203.0.113.57"},
    {"HTTP_X_FORWARDED_PROTO", "https"},
    {"HTTP_X_REAL_IP", "198.51.100.23"},
    {"HTTP_COOKIE",
     "sessionid=7f3c9a1e5b2d4c6e8f0a1b3c5d7e9f1a; csrftoken=Xk2Lm9Qp4Rs7Tu1V"
     "w3Yz5Ab8Cd0Ef2Gh6Ij9Kl3Mn; _ga=GA1.2.1234567890.1700000000; _gid=GA1.2"
     ".987654321.1702000000; _gat_gtag_UA_12345678_1=1; theme=dark; lang=en-"
     "US; tz=Europe%2FBerlin; consent=%7B%22necessary%22%3Atrue%2C%22analyt"
     "ics%22%3Atrue%2C%22marketing%22%3Afalse%7D; cart=3f9e2a7c; recently_v"
     "iewed=1042%2C877%2C1203%2C56"},
    {"HTTP_PRIORITY", "u=0, i"},
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

static void fill_body(uint8_t *p, size_t len) {
  static const char form[] = "title=Benchmarks+of+FastCGI+libraries&tags=c%2C"
                             "fastcgi%2Cperformance&body=";
  for (size_t i = 0; i < len; i++)
    p[i] = i < sizeof(form) - 1 ? (uint8_t)form[i]
                                : (uint8_t)('a' + (i * 7 + i / 26) % 26);
}

typedef struct varying {
  char length[16], port[8], id[40];
} varying;

/* The value of params[k] in request i. */
static const char *param_value(size_t k, uint32_t i, uint32_t body_len,
                               varying *v) {
  const char *name = params[k][0];
  if (strcmp(name, "CONTENT_TYPE") == 0 ||
      strcmp(name, "HTTP_CONTENT_TYPE") == 0)
    return body_len > 4096 ? "multipart/form-data; boundary=----WebKitFormBou"
                             "ndary7MA4YWxkTrZu0gW"
                           : "application/x-www-form-urlencoded";
  if (strcmp(name, "CONTENT_LENGTH") == 0 ||
      strcmp(name, "HTTP_CONTENT_LENGTH") == 0) {
    snprintf(v->length, sizeof(v->length), "%u", body_len);
    return v->length;
  }
  if (strcmp(name, "REMOTE_PORT") == 0) {
    snprintf(v->port, sizeof(v->port), "%05u", 32768u + i % 28000u);
    return v->port;
  }
  if (strcmp(name, "HTTP_X_REQUEST_ID") == 0) {
    snprintf(v->id, sizeof(v->id), "%08x%08x%08x%08x", i * 2654435761u, ~i,
             i ^ 0x5bd1e995u, i * 40503u);
    return v->id;
  }
  return params[k][1];
}

/* The PARAMS content of request i (out NULL: size only). */
static size_t make_pairs(uint8_t *out, size_t cap, uint32_t i,
                         uint32_t body_len) {
  varying v;
  fcs_nv_pair pairs[NPARAMS];
  for (size_t k = 0; k < NPARAMS; k++) {
    const char *value = param_value(k, i, body_len, &v);
    pairs[k].name = (const uint8_t *)params[k][0];
    pairs[k].name_len = (uint32_t)strlen(params[k][0]);
    pairs[k].value = (const uint8_t *)value;
    pairs[k].value_len = (uint32_t)strlen(value);
  }
  size_t needed;
  fcs_encode_pairs(out, cap, pairs, NPARAMS, 0, &needed);
  return needed;
}

/* One request: BEGIN_REQUEST (keep-conn), PARAMS, STDIN, each stream ended
 * by its empty record, every record padded to 8 bytes as nginx pads them.
 * out NULL: size only. */
static size_t put_request(uint8_t *out, size_t cap, const uint8_t *pairs,
                          size_t pairs_len, const uint8_t *body,
                          size_t body_len) {
  fcs_record_opts opts = {0};
  opts.padding.mode = FCS_PAD_ALIGN8;
  size_t begin, par, in;
  fcs_encode_begin_request(out, cap, REQUEST_ID, FCS_RESPONDER, FCS_KEEP_CONN,
                           &opts, &begin);
  uint8_t *p = out ? out + begin : NULL;
  fcs_encode_stream(p, cap - begin, FCS_PARAMS, REQUEST_ID, pairs, pairs_len, 1,
                    &opts, &par);
  p = out ? p + par : NULL;
  fcs_encode_stream(p, cap - begin - par, FCS_STDIN, REQUEST_ID, body, body_len,
                    1, &opts, &in);
  return begin + par + in;
}

int peer_make_input(peer_input *p, size_t size, uint32_t body_len) {
  memset(p, 0, sizeof(*p));
  uint8_t pairs[8192];
  uint8_t *body = malloc(body_len ? body_len : 1);
  if (!body)
    return -1;
  fill_body(body, body_len);
  size_t pairs_len = make_pairs(NULL, 0, 0, body_len);
  if (pairs_len > sizeof(pairs)) {
    free(body);
    return -1;
  }
  size_t one = put_request(NULL, (size_t)-1, pairs, pairs_len, body, body_len);
  size_t count = size / one ? size / one : 1;
  size_t per = (one + PEER_MESSAGE_MAX - 1) / PEER_MESSAGE_MAX;
  p->in.bytes = malloc(count * one);
  p->msg_end = malloc(count * per * sizeof(*p->msg_end));
  if (!p->in.bytes || !p->msg_end) {
    free(body);
    peer_input_free(p);
    return -1;
  }
  p->in.len = count * one;
  for (size_t i = 0; i < count; i++) {
    size_t start = i * one;
    if (make_pairs(pairs, sizeof(pairs), (uint32_t)i, body_len) != pairs_len ||
        put_request(p->in.bytes + start, one, pairs, pairs_len, body,
                    body_len) != one) {
      fprintf(stderr, "fcs-bench: request %zu of workload d changed size\n", i);
      exit(1);
    }
    for (size_t at = 0; at < one; at += PEER_MESSAGE_MAX)
      p->msg_end[p->nmsgs++] =
          start + (one - at > PEER_MESSAGE_MAX ? at + PEER_MESSAGE_MAX : one);
  }
  free(body);
  p->in.requests = (uint32_t)count;
  p->in.units = count;
  p->body_len = body_len;
  p->pairs = NPARAMS;
  for (size_t l = 0; l < PEER_LOOKUPS; l++)
    for (size_t k = 0; k < NPARAMS; k++)
      if (strcmp(peer_lookups[l], params[k][0]) == 0) {
        varying v;
        p->found++;
        p->found_bytes += strlen(param_value(k, 0, body_len, &v));
      }
  return 0;
}

void peer_input_free(peer_input *p) {
  free(p->in.bytes);
  free(p->msg_end);
  memset(p, 0, sizeof(*p));
}
