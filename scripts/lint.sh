#!/usr/bin/env bash
# lint.sh: project rules a compiler does not check.
#  1. No banned functions in our C (STYLE.md: sprintf, strcpy, strcat, ...).
#  2. predicates/ stays pure: libhrpred.a references no I/O, clock, env,
#     process or thread functions.
#  3. The code is clang-formatted (.clang-format).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
lib=${1:-$top/build/libhrpred.a}
cd "$top"
fail=0

banned='\b(sprintf|vsprintf|strcpy|strcat|gets|strtok|strncpy|atoi|atol|atof)\s*\('
if grep -nE "$banned" predicates/*.[ch] extender/*.[ch] tests/*.[ch] tests/*/*.c fuzz/*.[ch]; then
	echo "lint: banned function used (see STYLE.md)"
	fail=1
fi

impure='^(printf|fprintf|puts|fputs|putchar|fopen|fclose|fread|fwrite|open|read|write|getenv|time|clock_gettime|gettimeofday|exit|_exit|pthread_.*|socket|connect|sleep|usleep|nanosleep|system|popen)$'
if [ -f "$lib" ]; then
	bad=$(nm -u "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u | grep -E "$impure" || true)
	if [ -n "$bad" ]; then
		echo "lint: predicates/ must stay pure, but libhrpred.a uses:" $bad
		fail=1
	fi
else
	echo "lint: $lib not built"
	fail=1
fi

if command -v clang-format >/dev/null; then
	if ! clang-format --dry-run -Werror predicates/*.[ch] extender/*.[ch] tests/*.[ch] tests/*/*.c fuzz/*.[ch] 2>/tmp/lint-format.$$; then
		grep -m 20 'error:' /tmp/lint-format.$$
		echo "lint: run 'make format'"
		fail=1
	fi
	rm -f /tmp/lint-format.$$
fi
[ $fail -eq 0 ] && echo "lint: ok"
exit $fail
