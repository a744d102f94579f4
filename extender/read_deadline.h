/* read_deadline.h: a total deadline for one thread's blocking socket reads.
 *
 * civetweb's read timeout is per poll(): it restarts with every byte, and one
 * mg_read() waits until its whole length has arrived. A client that sends a
 * request body a byte a second therefore holds a worker thread for as long as
 * it likes. An armed deadline sends the arming thread a signal when it passes
 * (and every 100 ms after, in case one lands outside a system call) whose
 * handler does nothing: the blocked poll() fails with EINTR, civetweb's read
 * returns with what it has, and the caller sees xt_read_deadline_passed.
 * Not here: the timeouts civetweb enforces itself (handshake, headers).
 * Linux only (a per-thread timer, SIGEV_THREAD_ID).
 * Thread-safety: a deadline belongs to the thread that armed it;
 * xt_read_deadline_setup runs once, before the threads that arm deadlines start. */
#ifndef XT_READ_DEADLINE_H
#define XT_READ_DEADLINE_H

#include <stdbool.h>
#include <time.h>

#include "err.h"

struct xt_read_deadline {
	timer_t timer;
	struct timespec at; /* CLOCK_MONOTONIC */
	bool armed;         /* a timer exists and must be disarmed */
};

/* Installs the signal handler (a real-time signal, SIGRTMIN + 1). */
enum hr_code xt_read_deadline_setup(struct hr_err *err);

/* Starts a deadline ms from now for the calling thread. When no timer can
 * be made the deadline is still tracked (xt_read_deadline_passed works) but
 * blocked reads are not interrupted; false says so. */
bool xt_read_deadline_arm(struct xt_read_deadline *d, int ms);

/* Whether the deadline has passed. */
bool xt_read_deadline_passed(const struct xt_read_deadline *d);

/* Stops the signals; call on every path after xt_read_deadline_arm. */
void xt_read_deadline_disarm(struct xt_read_deadline *d);

#endif
