/* imgscrub unit tests: a few macros, no framework.  Each test binary
 * calls its checks from main() and returns unit_finish(). */
#ifndef ISC_UNIT_H
#define ISC_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;
static int unit_checks;

#define CHECK(cond) do {                                                \
    unit_checks++;                                                      \
    if (!(cond)) {                                                      \
      unit_failures++;                                                  \
      fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                   \
  } while (0)

#define CHECK_STREQ(a, b) do {                                          \
    const char *unit_a_ = (a), *unit_b_ = (b);                          \
    unit_checks++;                                                      \
    if (!unit_a_ || !unit_b_ || strcmp (unit_a_, unit_b_) != 0) {       \
      unit_failures++;                                                  \
      fprintf (stderr, "%s:%d: expected \"%s\", got \"%s\"\n",          \
               __FILE__, __LINE__, unit_b_ ? unit_b_ : "(null)",        \
               unit_a_ ? unit_a_ : "(null)");                           \
    }                                                                   \
  } while (0)

static inline int
unit_finish (const char *name)
{
  printf ("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
  return unit_failures ? 1 : 0;
}

#endif
