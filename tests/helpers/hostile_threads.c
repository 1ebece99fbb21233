/* pi-hostile-threads MODE
 *
 * A process that corrupts the data libthread_db reads from its memory,
 * after starting four threads named walker-1 .. walker-4. walker-3 and
 * walker-4 deadlock on two mutexes (the scans read a deadlocked process
 * again in full, TLS included); the others sleep in pause(). Prints
 * "ready" once the damage is done and the two are asleep on their locks,
 * then sleeps.
 *
 *   selfloop  walker-2 points the `next` link of its own entry in glibc's
 *             list of threads (struct pthread's `list` member, on the
 *             _dl_stack_used list) at that same entry: a walk of the list
 *             that follows `next` never ends. glibc adds a thread at the
 *             head of the list, so a walk meets walker-4, -3, -2, then
 *             walker-2 again, and never walker-1.
 *   tailloop  the same, done by walker-1, the last on the list: a walk
 *             has met every thread when it comes round again.
 *   hugesize  _thread_db_sizeof_pthread, the size of struct pthread that
 *             libc publishes for libthread_db (which allocates that much
 *             on its stack to copy a thread's descriptor), becomes
 *             16,000,000. Not 16 MiB: libthread_db takes a value whose top
 *             byte is set for one of the other byte order and swaps it
 *             (0x01000000 would read as 1).
 *
 * Where the list member lies in struct pthread is read at run time from
 * libc's own descriptors for libthread_db: _thread_db_pthread_list and
 * _thread_db_list_t_next, each three 32-bit words (size in bits, number
 * of elements, offset). In glibc, a pthread_t is the address of the
 * thread's struct pthread. The writes go through /proc/self/mem, which
 * writes read-only pages (libc's descriptors are const) as a debugger
 * does. */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "helper.h"

enum { NTHREADS = 4 };

static int looping = -1;	/* the index of the thread that damages its entry */
static pthread_barrier_t all_started, holding;
static sem_t damage_done;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;
static atomic_int about_to_block;

/* One of libc's descriptors for libthread_db; exits when it is missing
 * (a C library other than glibc, or a glibc without them). */
static const uint32_t *descriptor(const char *name)
{
	const uint32_t *d = dlsym(RTLD_DEFAULT, name);
	if (!d) {
		fprintf(stderr, "pi-hostile-threads: libc has no %s\n", name);
		exit(1);
	}
	return d;
}

static void write_own_memory(uintptr_t addr, const void *bytes, size_t size)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		helper_die("open /proc/self/mem");
	if (pwrite(fd, bytes, size, (off_t)addr) != (ssize_t)size)
		helper_die("write /proc/self/mem");
	close(fd);
}

/* The calling thread's entry in glibc's thread list points back at
 * itself. */
static void loop_own_list_entry(void)
{
	const uint32_t *list = descriptor("_thread_db_pthread_list");
	const uint32_t *next = descriptor("_thread_db_list_t_next");
	uintptr_t entry = (uintptr_t)pthread_self() + list[2];
	uintptr_t link = entry + next[2];
	write_own_memory(link, &entry, sizeof entry);
}

static void *walker(void *arg)
{
	uintptr_t index = (uintptr_t)arg;
	char name[16];
	snprintf(name, sizeof name, "walker-%u", (unsigned)index + 1);
	pthread_setname_np(pthread_self(), name);
	/* Nobody creates or ends a thread once the list is damaged: glibc
	 * would walk or relink it too. */
	pthread_barrier_wait(&all_started);
	if ((int)index == looping) {
		loop_own_list_entry();
		sem_post(&damage_done);
	}
	if (index >= 2) {	/* walker-3: a then b; walker-4: b then a */
		pthread_mutex_t *first = index == 2 ? &lock_a : &lock_b;
		pthread_mutex_t *second = index == 2 ? &lock_b : &lock_a;
		pthread_mutex_lock(first);
		pthread_barrier_wait(&holding);
		atomic_fetch_add(&about_to_block, 1);
		pthread_mutex_lock(second);
	}
	helper_wait_forever();
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc == 2 ? argv[1] : "";
	if (strcmp(mode, "selfloop") == 0)
		looping = 1;	/* walker-2 */
	else if (strcmp(mode, "tailloop") == 0)
		looping = 0;	/* walker-1 */
	else if (strcmp(mode, "hugesize") != 0) {
		fprintf(stderr, "usage: pi-hostile-threads selfloop|tailloop|hugesize\n");
		return 2;
	}
	if (pthread_barrier_init(&all_started, NULL, NTHREADS + 1) != 0
	    || pthread_barrier_init(&holding, NULL, 2) != 0 || sem_init(&damage_done, 0, 0) != 0)
		helper_die("barrier");
	for (uintptr_t i = 0; i < NTHREADS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, walker, (void *)i) != 0)
			helper_die("pthread_create");
	}
	pthread_barrier_wait(&all_started);
	if (looping >= 0) {
		while (sem_wait(&damage_done) != 0)
			;
	} else {
		uint32_t huge = 16000000;
		write_own_memory((uintptr_t)descriptor("_thread_db_sizeof_pthread"), &huge, sizeof huge);
	}
	/* Asleep in the kernel on their second lock, not about to be. */
	while (atomic_load(&about_to_block) < 2)
		usleep(1000);
	usleep(100000);
	helper_ready();
	helper_wait_forever();
}
