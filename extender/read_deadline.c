/* read_deadline.c: per-thread timers that interrupt blocking reads. */
#include "read_deadline.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEADLINE_SIGNAL (SIGRTMIN + 1)
#define REPEAT_MS       100

static void on_deadline_signal(int sig)
{
	(void)sig; /* interrupting the system call is the whole point */
}

enum hr_code xt_read_deadline_setup(struct hr_err *err)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_deadline_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the read must fail with EINTR */
	if (sigaction(DEADLINE_SIGNAL, &sa, NULL) != 0)
		return hr_err_set(err, HR_EINVAL, "deadline",
		                  "cannot install the signal handler: %s", strerror(errno));
	return HR_OK;
}

static struct timespec ms_from_now(int ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

bool xt_read_deadline_arm(struct xt_read_deadline *d, int ms)
{
	memset(d, 0, sizeof(*d));
	d->at = ms_from_now(ms);
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = DEADLINE_SIGNAL;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid); /* glibc 2.36 has no name for it */
	if (timer_create(CLOCK_MONOTONIC, &sev, &d->timer) != 0)
		return false;
	struct itimerspec when = {
	    .it_value = d->at,
	    .it_interval = {.tv_sec = 0, .tv_nsec = REPEAT_MS * 1000000L},
	};
	if (timer_settime(d->timer, TIMER_ABSTIME, &when, NULL) != 0) {
		timer_delete(d->timer);
		return false;
	}
	d->armed = true;
	return true;
}

bool xt_read_deadline_passed(const struct xt_read_deadline *d)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > d->at.tv_sec ||
	       (now.tv_sec == d->at.tv_sec && now.tv_nsec >= d->at.tv_nsec);
}

void xt_read_deadline_disarm(struct xt_read_deadline *d)
{
	if (d->armed)
		timer_delete(d->timer);
	d->armed = false;
}
