/* Finding what fcgispec ships with (the case catalog, the reference
 * responder) both where `cmake --install` puts it, relative to the running
 * executable, and where the build tree has it. */
#ifndef FSP_LOCATE_H
#define FSP_LOCATE_H

#include <stddef.h>

/* The first of these that exists: REL taken from the directory of the
 * running executable (/proc/self/exe), then BUILT (an absolute path).
 * Returns out or BUILT, or NULL when neither exists; out always holds
 * REL's full path (for messages). */
const char *locate_shipped(const char *rel, const char *built, char *out,
                           size_t cap);

#endif
