/* pi-truncating LIBRARY [DEBUG_FILE]
 *
 * Loads LIBRARY (a copy of tests/helpers/libpi-linked.so the test made)
 * and runs its deadlock, so that its functions are on the stacks; then,
 * from another thread, cuts the file short and writes it back, over and
 * over. Only what lies past the loaded segments is cut (the section
 * headers, .symtab, the DWARF), so the process itself never touches a
 * page that is gone; but a reader that mapped the whole file to parse it
 * (libelf, libdw) gets SIGBUS on the next page it reads past the cut.
 *
 * With DEBUG_FILE (the library's separate debug file, which the process
 * never maps), that file is cut instead, past its first half. */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "helper.h"

static int fd;
static char *image;
static off_t size, loaded_end;

static void *cut_and_restore(void *arg)
{
	(void)arg;
	for (;;) {
		if (ftruncate(fd, loaded_end) != 0)
			helper_die("ftruncate");
		usleep(200);
		if (pwrite(fd, image + loaded_end, (size_t)(size - loaded_end), loaded_end)
		    != size - loaded_end)
			helper_die("pwrite");
		usleep(200);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: pi-truncating LIBRARY [DEBUG_FILE]\n");
		return 2;
	}
	const char *cut = argc == 3 ? argv[2] : argv[1];
	struct stat st;
	if ((fd = open(cut, O_RDWR)) < 0 || fstat(fd, &st) != 0)
		helper_die(cut);
	size = st.st_size;
	image = malloc((size_t)size);
	if (!image || pread(fd, image, (size_t)size, 0) != size)
		helper_die("read");
	Elf64_Ehdr eh;
	memcpy(&eh, image, sizeof eh);
	for (int i = 0; argc == 2 && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, image + eh.e_phoff + (size_t)i * eh.e_phentsize, sizeof ph);
		if (ph.p_type == PT_LOAD && (off_t)(ph.p_offset + ph.p_filesz) > loaded_end)
			loaded_end = (off_t)(ph.p_offset + ph.p_filesz);
	}
	if (argc == 3)
		loaded_end = size / 2;
	if (loaded_end <= 0 || loaded_end >= size)
		helper_die("nothing past the loaded segments to cut");

	void *lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "pi-truncating: %s\n", dlerror());
		return 1;
	}
	void (*deadlock)(void (*)(void)) = (void (*)(void (*)(void)))dlsym(lib, "pi_linked_deadlock");
	if (!deadlock) {
		fprintf(stderr, "pi-truncating: %s\n", dlerror());
		return 1;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, cut_and_restore, NULL) != 0)
		helper_die("pthread_create");
	pthread_setname_np(t, "truncator");
	deadlock(helper_ready);
	return 0;
}
