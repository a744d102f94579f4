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

#endif
