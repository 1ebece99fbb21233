/* dump_vdso FILE — writes this process's vDSO to FILE: a real ELF image
 * to seed the vDSO fuzz target with (make check-fuzz builds and runs it). */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv)
{
	unsigned long start, end, ehdr = getauxval(AT_SYSINFO_EHDR);
	char line[512];
	FILE *maps = fopen("/proc/self/maps", "r");
	if (argc != 2 || !maps || !ehdr)
		return 1;
	while (fgets(line, sizeof line, maps))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &start, &end) == 2 && start == ehdr) {
			FILE *out = fopen(argv[1], "wb");
			return !out || fwrite((const void *)start, 1, end - start, out) != end - start
			       || fclose(out) != 0;
		}
	return 1;
}
