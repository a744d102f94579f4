/* log.h: one line per event on stderr, klog-like text or JSON.
 *
 * Text: "I1203 16:29:50.123456   12345 file.c:42] msg key=value" (klog
 * header: severity letter, month-day, time, thread id, source); JSON:
 * {"ts":..., "level":"info", "msg": "..."}. Verbosity -v N gates debug lines
 * (xt_vlog). Never log tokens, keys or whole request bodies.
 * Thread-safety: any thread may log; lines never interleave. */
#ifndef XT_LOG_H
#define XT_LOG_H

#include <stdbool.h>

enum xt_log_level { XT_LOG_ERROR, XT_LOG_WARN, XT_LOG_INFO, XT_LOG_DEBUG };
enum xt_log_format { XT_LOG_TEXT, XT_LOG_JSON };

/* Process-wide settings; call before starting threads. */
void xt_log_setup(enum xt_log_format format, int verbosity);
int xt_log_verbosity(void);

void xt_log_at(enum xt_log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define xt_log(level, ...) xt_log_at((level), __FILE__, __LINE__, __VA_ARGS__)
#define xt_log_error(...)  xt_log(XT_LOG_ERROR, __VA_ARGS__)
#define xt_log_warn(...)   xt_log(XT_LOG_WARN, __VA_ARGS__)
#define xt_log_info(...)   xt_log(XT_LOG_INFO, __VA_ARGS__)
/* An info line shown only at verbosity >= v (klog's V(v).Info). */
#define xt_vlog(v, ...)                                                                            \
	do {                                                                                       \
		if (xt_log_verbosity() >= (v))                                                     \
			xt_log(XT_LOG_INFO, __VA_ARGS__);                                          \
	} while (0)

#endif
