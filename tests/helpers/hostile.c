/* pi-hostile
 *
 * A process whose names try to take over the reader's terminal: its name
 * (comm) and a thread's name hold an escape sequence, ')' and a newline,
 * and its arguments, as given by the test, hold whatever bytes it likes.
 * Prints "ready". */
#include <pthread.h>
#include <sys/prctl.h>

#include "helper.h"

static void *named_thread(void *arg)
{
	(void)arg;
	/* 15 bytes: ESC [ 3 1 m ) ( \n and some, plus invalid UTF-8. */
	pthread_setname_np(pthread_self(), "\x1b[31m) x\n\xff\xfe(");
	helper_wait_forever();
	return NULL;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pthread_t t;
	if (prctl(PR_SET_NAME, "a) b\x1b]0;owned\a", 0, 0, 0) != 0)
		helper_die("prctl");
	if (pthread_create(&t, NULL, named_thread, NULL) != 0)
		helper_die("pthread_create");
	usleep(50000);
	helper_ready();
	helper_wait_forever();
}
