/* Stands in for the parts of PHP that main/fastcgi.c links to besides
 * itself: Zend's allocator, Zend's hash table, and
 * php_network_gethostbyname.
 *
 * - Allocation: fastcgi.c allocates through Zend only for its management
 *   variables (zend_string_init and pefree, always persistent, so
 *   __zend_malloc and free); _emalloc and _efree are referenced by Zend's
 *   inline string helpers on their request-memory branch, which fastcgi.c
 *   never takes. __zend_malloc is malloc that gives up when malloc does, as
 *   Zend's does (it reports out of memory and exits); the request
 *   allocator is malloc and free, which no code path here reaches.
 * - Hash table: fastcgi.c keeps one, fcgi_mgmt_vars, the variables it
 *   answers GET_VALUES with. fcgi_init fills it with FCGI_MPXS_CONNS = "0"
 *   (php-fpm sets nothing else: fpm_php.c's setter for FCGI_MAX_CONNS and
 *   FCGI_MAX_REQS is compiled out), and fcgi_read_request looks up each
 *   name a GET_VALUES carries with zend_hash_str_find. What the request
 *   reader can observe of it is that lookup: a key matches exactly when its
 *   bytes and length are equal (Zend compares hash, length and bytes), and
 *   zend_hash_add keeps the first value of a key. This table does the same
 *   with a short list; the request parameters live in fastcgi.c's own
 *   fcgi_hash, which is compiled, not replaced.
 * - php_network_gethostbyname: only fcgi_listen resolves names, and the
 *   harness makes its own listening socket, so nothing calls it; it stops
 *   the process if something does. */
#include "php.h"
#include "php_network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ZEND_API void *__zend_malloc(size_t len) {
  void *p = malloc(len);
  if (!p) {
    fprintf(stderr, "php_fpm shim: out of memory (%zu bytes)\n", len);
    abort();
  }
  return p;
}

ZEND_API void *
ZEND_FASTCALL(_emalloc)(size_t size ZEND_FILE_LINE_DC ZEND_FILE_LINE_ORIG_DC) {
  return __zend_malloc(size);
}

ZEND_API void
ZEND_FASTCALL(_efree)(void *ptr ZEND_FILE_LINE_DC ZEND_FILE_LINE_ORIG_DC) {
  free(ptr);
}

/* fastcgi.c's one table, which holds a single entry. */
#define MGMT_CAP 8
typedef struct mgmt_entry {
  char *key;
  size_t key_len;
  zval value;
} mgmt_entry;
static struct {
  const HashTable *ht;
  dtor_func_t dtor;
  mgmt_entry e[MGMT_CAP];
  size_t n;
} mgmt;

static void table_is(const HashTable *ht) {
  if (mgmt.ht != ht) {
    fprintf(stderr, "php_fpm shim: a hash table other than fastcgi.c's "
                    "management variables\n");
    abort();
  }
}

ZEND_API void ZEND_FASTCALL _zend_hash_init(HashTable *ht, uint32_t nSize,
                                            dtor_func_t pDestructor,
                                            bool persistent) {
  if (mgmt.ht) {
    fprintf(stderr, "php_fpm shim: a second hash table\n");
    abort();
  }
  mgmt.ht = ht;
  mgmt.dtor = pDestructor;
  mgmt.n = 0;
}

ZEND_API zval *ZEND_FASTCALL zend_hash_str_find(const HashTable *ht,
                                                const char *key, size_t len) {
  table_is(ht);
  for (size_t i = 0; i < mgmt.n; i++)
    if (mgmt.e[i].key_len == len && !memcmp(mgmt.e[i].key, key, len))
      return &mgmt.e[i].value;
  return NULL;
}

ZEND_API zval *ZEND_FASTCALL zend_hash_add(HashTable *ht, zend_string *key,
                                           zval *pData) {
  table_is(ht);
  if (zend_hash_str_find(ht, ZSTR_VAL(key), ZSTR_LEN(key)))
    return NULL;
  if (mgmt.n == MGMT_CAP) {
    fprintf(stderr, "php_fpm shim: more than %d management variables\n",
            MGMT_CAP);
    abort();
  }
  mgmt_entry *e = &mgmt.e[mgmt.n++];
  e->key_len = ZSTR_LEN(key);
  e->key = __zend_malloc(e->key_len + 1);
  memcpy(e->key, ZSTR_VAL(key), e->key_len + 1);
  ZVAL_COPY_VALUE(&e->value, pData);
  return &e->value;
}

ZEND_API void ZEND_FASTCALL zend_hash_destroy(HashTable *ht) {
  table_is(ht);
  for (size_t i = 0; i < mgmt.n; i++) {
    if (mgmt.dtor)
      mgmt.dtor(&mgmt.e[i].value);
    free(mgmt.e[i].key);
  }
  mgmt.ht = NULL;
  mgmt.n = 0;
}

PHPAPI struct hostent *php_network_gethostbyname(const char *name) {
  fprintf(stderr,
          "php_fpm shim: php_network_gethostbyname(%s) called; the "
          "harness never listens through fcgi_listen\n",
          name);
  abort();
}
