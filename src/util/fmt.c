#include "util/fmt.h"

#include <inttypes.h>
#include <stdio.h>

char *pi_fmt_duration(char *out, size_t size, double s)
{
	if (s < 0)
		s = 0;
	if (s < 10)
		snprintf(out, size, "%.3g s", s);
	else if (s < 60)
		snprintf(out, size, "%.0f s", s);
	else if (s < 3600)
		snprintf(out, size, "%d min %02d s", (int)(s / 60), (int)s % 60);
	else if (s < 86400)
		snprintf(out, size, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(out, size, "%lld d %02d h", (long long)(s / 86400), (int)(s / 3600) % 24);
	return out;
}

char *pi_fmt_bytes(char *out, size_t size, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	if (bytes < 1024) {
		snprintf(out, size, "%u B", (unsigned)bytes);
		return out;
	}
	double v = (double)bytes / 1024;
	int u = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(out, size, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return out;
}

char *pi_fmt_localtime(char *out, size_t size, time_t when)
{
	struct tm tm;
	if (!localtime_r(&when, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, size, "@%lld", (long long)when);
	return out;
}

char *pi_fmt_count(char *out, size_t size, uint64_t n)
{
	char digits[24];
	size_t len = (size_t)snprintf(digits, sizeof digits, "%" PRIu64, n), k = 0;
	for (size_t i = 0; i < len && k + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	if (size)
		out[k < size ? k : size - 1] = '\0';
	return out;
}
