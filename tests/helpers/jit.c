/* A stand-in for a JVM's generated code: a thread named "java-code" runs
 * machine code written at run time into anonymous executable memory, and
 * blocks there in pause(2). With an argument, it first dlopens that
 * library (a copy named libjvm.so makes it look like a JVM to pinspect).
 * Prints "code 0xADDR 0xSIZE" and "ready" once the thread is blocked in
 * the generated code. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

/* x86-64: mov eax, SYS_pause (34); syscall; jmp back to the mov */
static const unsigned char code_bytes[] = { 0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7 };

static void *code;
static volatile pid_t code_tid;

static void *run_code(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "java-code");
	code_tid = (pid_t)syscall(SYS_gettid);
	((void (*)(void))code)();
	return NULL;
}

/* Is thread tid blocked in pause(2) now? */
static int in_pause(pid_t tid)
{
	char path[64], buf[64] = "";
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int ok = fgets(buf, sizeof buf, f) && strncmp(buf, "34 ", 3) == 0;
	fclose(f);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !dlopen(argv[1], RTLD_NOW))
		helper_die(dlerror());
	size_t size = 4096;
	code = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		helper_die("mmap");
	memcpy(code, code_bytes, sizeof code_bytes);
	if (mprotect(code, size, PROT_READ | PROT_EXEC) != 0)
		helper_die("mprotect");
	pthread_t t;
	if (pthread_create(&t, NULL, run_code, NULL) != 0)
		helper_die("pthread_create");
	while (!code_tid || !in_pause(code_tid))
		usleep(1000);
	printf("code %p %#zx\n", code, sizeof code_bytes);
	fflush(stdout);
	helper_ready();
	helper_wait_forever();
}
