/* input_file.h: opening a file the user named on the command line.
 *
 * fopen succeeds on a directory on Linux and the first read then fails with
 * EISDIR, far from the flag that named it; this opens regular files (and
 * FIFOs, /dev/stdin) only and says what is wrong with the path otherwise.
 * Thread-safety: reentrant. */
#ifndef XT_INPUT_FILE_H
#define XT_INPUT_FILE_H

#include <stdio.h>
#include "err.h"

/* Opens path for reading ("rb"). On failure returns NULL with err naming
 * path: "cannot open: <errno text>" or "is a directory, not a file".
 * `what` (e.g. "certificate") goes into the message when not NULL. */
FILE *xt_open_input(const char *path, const char *what, struct hr_err *err);

#endif
