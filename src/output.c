#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int write_error;

void pi_output_write(const char *data, size_t len)
{
	if (len && fwrite(data, 1, len, stdout) != len && !write_error)
		write_error = errno ? errno : EIO;
}

int pi_output_flush(void)
{
	if (fflush(stdout) != 0 && !write_error)
		write_error = errno ? errno : EIO;
	if (!write_error)
		return 0;
	if (write_error != EPIPE)
		fprintf(stderr, "pinspect: writing the output failed: %s\n", strerror(write_error));
	return -1;
}
