/* pi-sleep32: a 32-bit process that waits, built with gcc -m32. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
