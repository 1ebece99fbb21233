/* pi-leader-exit
 *
 * The main thread calls pthread_exit() while a second thread lives on:
 * the main thread shows as a zombie (Z) but the process is not one. */
#include <pthread.h>

#include "helper.h"

static void *survivor(void *arg)
{
	(void)arg;
	usleep(100000);
	helper_ready();
	helper_wait_forever();
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, survivor, NULL) != 0)
		helper_die("pthread_create");
	pthread_exit(NULL);
}
