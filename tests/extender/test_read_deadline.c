/* test_read_deadline.c: extender/read_deadline.h, a total deadline that
 * interrupts a blocked poll() of the arming thread. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "read_deadline.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* poll() on a pipe nobody writes to; returns its result, errno in *e. */
static int poll_idle_pipe(int timeout_ms, int *e)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct pollfd p = {.fd = fds[0], .events = POLLIN};
	int r = poll(&p, 1, timeout_ms);
	*e = errno;
	close(fds[0]);
	close(fds[1]);
	return r;
}

static int setup(void **state)
{
	(void)state;
	struct hr_err err;
	hr_err_clear(&err);
	return xt_read_deadline_setup(&err) == HR_OK ? 0 : -1;
}

static void test_deadline_interrupts_a_blocked_poll(void **state)
{
	(void)state;
	struct xt_read_deadline d;
	double start = now_s();
	assert_true(xt_read_deadline_arm(&d, 100));
	assert_false(xt_read_deadline_passed(&d));
	int e = 0;
	int r = poll_idle_pipe(5000, &e);
	double took = now_s() - start;
	assert_int_equal(r, -1);
	assert_int_equal(e, EINTR);
	assert_true(xt_read_deadline_passed(&d));
	assert_true(took >= 0.095 && took < 1.0);
	xt_read_deadline_disarm(&d);
}

static void test_deadline_repeats_until_disarmed(void **state)
{
	(void)state;
	/* a signal that lands outside a system call is lost: the next one,
	 * 100 ms later, interrupts the poll that follows */
	struct xt_read_deadline d;
	assert_true(xt_read_deadline_arm(&d, 10));
	struct timespec nap = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
	while (nanosleep(&nap, &nap) != 0) /* interrupted: sleep the rest */
		;
	int e = 0;
	double start = now_s();
	assert_int_equal(poll_idle_pipe(5000, &e), -1);
	assert_int_equal(e, EINTR);
	assert_true(now_s() - start < 0.5);
	xt_read_deadline_disarm(&d);
}

static void test_disarmed_deadline_sends_nothing(void **state)
{
	(void)state;
	struct xt_read_deadline d;
	assert_true(xt_read_deadline_arm(&d, 50));
	xt_read_deadline_disarm(&d);
	xt_read_deadline_disarm(&d); /* twice is harmless */
	int e = 0;
	assert_int_equal(poll_idle_pipe(300, &e), 0); /* a plain timeout */
}

static void test_deadline_not_passed_before_its_time(void **state)
{
	(void)state;
	struct xt_read_deadline d;
	assert_true(xt_read_deadline_arm(&d, 60000));
	assert_false(xt_read_deadline_passed(&d));
	int e = 0;
	assert_int_equal(poll_idle_pipe(100, &e), 0);
	xt_read_deadline_disarm(&d);
}

static void *other_thread(void *arg)
{
	int *result = arg;
	int e = 0;
	*result = poll_idle_pipe(400, &e);
	return NULL;
}

static void test_deadline_signals_only_the_arming_thread(void **state)
{
	(void)state;
	struct xt_read_deadline d;
	int other = -2, e = 0;
	pthread_t t;
	assert_true(xt_read_deadline_arm(&d, 50));
	assert_int_equal(pthread_create(&t, NULL, other_thread, &other), 0);
	assert_int_equal(poll_idle_pipe(5000, &e), -1);
	xt_read_deadline_disarm(&d);
	pthread_join(t, NULL);
	assert_int_equal(other, 0); /* timed out normally, never interrupted */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deadline_interrupts_a_blocked_poll),
	    cmocka_unit_test(test_deadline_repeats_until_disarmed),
	    cmocka_unit_test(test_disarmed_deadline_sends_nothing),
	    cmocka_unit_test(test_deadline_not_passed_before_its_time),
	    cmocka_unit_test(test_deadline_signals_only_the_arming_thread),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
