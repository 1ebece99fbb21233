/* pi-dlopen LIBRARY [NAME=TARGET]...
 *
 * Loads LIBRARY (tests/helpers/linked.c, as the test prepared it) and runs
 * its deadlock. With NAME=TARGET pairs, the process then turns hostile
 * about the files it maps, as a process in a container can: it mounts a
 * tmpfs over LIBRARY's directory (it must be root in its user namespace)
 * and puts there, for each pair, a symbolic link NAME -> TARGET, so that
 * the library's path, as /proc/PID/maps still shows it, names TARGET now. */
#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>

#include "helper.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pi-dlopen LIBRARY [NAME=TARGET]...\n");
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "pi-dlopen: %s\n", dlerror());
		return 1;
	}
	void (*deadlock)(void (*)(void)) = (void (*)(void (*)(void)))dlsym(lib, "pi_linked_deadlock");
	if (!deadlock) {
		fprintf(stderr, "pi-dlopen: %s\n", dlerror());
		return 1;
	}
	if (argc > 2) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", argv[1]);
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			helper_die("LIBRARY must be an absolute path below /");
		*slash = '\0';
		if (mount("none", dir, "tmpfs", 0, NULL) != 0)
			helper_die("mount");
		for (int i = 2; i < argc; i++) {
			char link[PATH_MAX];
			char *eq = strchr(argv[i], '=');
			if (!eq)
				helper_die("NAME=TARGET");
			size_t n = (size_t)(eq - argv[i]);
			if (strlen(dir) + 1 + n >= sizeof link)
				helper_die("NAME too long");
			memcpy(link, dir, strlen(dir));
			link[strlen(dir)] = '/';
			memcpy(link + strlen(dir) + 1, argv[i], n);
			link[strlen(dir) + 1 + n] = '\0';
			if (symlink(eq + 1, link) != 0)
				helper_die("symlink");
		}
	}
	deadlock(helper_ready);
	return 0;
}
