/* log.c: klog-style and JSON log lines. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

static enum xt_log_format log_format = XT_LOG_TEXT;
static int log_verbosity = 0;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void xt_log_setup(enum xt_log_format format, int verbosity)
{
	log_format = format;
	log_verbosity = verbosity;
}

int xt_log_verbosity(void)
{
	return log_verbosity;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

void xt_log_at(enum xt_log_level level, const char *file, int line, const char *fmt, ...)
{
	static const char letters[] = "EWII";
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	long tid = (long)syscall(SYS_gettid);

	struct hr_buf b;
	hr_buf_init(&b, 6 * sizeof(msg) + 512); /* JSON: each byte may grow to a 6-byte escape */
	if (log_format == XT_LOG_JSON) {
		char when[40];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		hr_buf_printf(
		    &b,
		    "{\"ts\":\"%s.%06ldZ\",\"level\":\"%s\",\"caller\":\"%s:%d\",\"msg\":", when,
		    ts.tv_nsec / 1000, names[level], base_name(file), line);
		hr_buf_json_str(&b, hr_str_c(msg));
		hr_buf_puts(&b, "}\n");
	} else {
		/* One event, one line: a newline in a logged value (a percent-decoded
		 * path) must not forge a line of its own. */
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		hr_buf_printf(&b, "%c%02d%02d %02d:%02d:%02d.%06ld %7ld %s:%d] %s\n",
		              letters[level], tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		              tm.tm_sec, ts.tv_nsec / 1000, tid, base_name(file), line, msg);
	}
	if (hr_buf_ok(&b)) {
		pthread_mutex_lock(&log_lock);
		fwrite(b.p, 1, b.len, stderr);
		fflush(stderr);
		pthread_mutex_unlock(&log_lock);
	}
	hr_buf_fini(&b);
}
