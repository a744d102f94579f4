/* input_file.c: opening a file the user named (input_file.h). */
#include "input_file.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

FILE *xt_open_input(const char *path, const char *what, struct hr_err *err)
{
	const char *sep = what ? " " : "";
	what = what ? what : "";
	FILE *f = fopen(path, "rb");
	if (!f) {
		hr_err_set(err, HR_EINVAL, path, "cannot open%s%s: %s", sep, what, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		hr_err_set(err, HR_EINVAL, path, "is a directory, not a%s%s file", sep, what);
		return NULL;
	}
	return f;
}
