/* support.h: helpers shared by the cmocka test programs (not part of headroom).
 * Thread-safety: test programs are single-threaded. */
#ifndef HR_TEST_SUPPORT_H
#define HR_TEST_SUPPORT_H

#include <stddef.h>

/* Reads a whole file (path relative to the repository top or absolute) into a
 * malloc'd NUL-terminated buffer; aborts the test program if it cannot. */
char *hr_test_read_file(const char *path, size_t *len);

/* The repository's top folder (where the Makefile is), found from the cwd. */
const char *hr_test_top(void);

/* A v1 List document of the given items (JSON texts, then NULL), for
 * building snapshots in tests. The text lives until hr_test_free_lists(),
 * which a test's teardown calls. */
const char *hr_test_list(const char *item, ...);
void hr_test_free_lists(void);

#endif
