/* A tiny shared object with a soname, two exported functions and a
 * build-id: the other ELF seed of the vDSO fuzz target (make check-fuzz
 * links it with -nostdlib). */
int tiny_clock(void);
int tiny_time(void);

int tiny_clock(void)
{
	return 1;
}

int tiny_time(void)
{
	return 2;
}
