#include "tui/meters.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/system.h"
#include "table/columns.h"
#include "util/buf.h"

/* The number at *p (digits only), moving p past it; false when there is
 * none. Saturates rather than wraps. */
static bool number(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	while (s < end && *s == ' ')
		s++;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	uint64_t v = 0;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(*s - '0');
	*out = v;
	*p = s;
	return true;
}

/* user nice system idle iowait irq softirq steal (guest time is in user
 * already): idle and iowait are not busy. */
static bool cpu_ticks(const char *p, const char *end, struct pi_cpu_ticks *out)
{
	uint64_t v[8] = { 0 };
	unsigned n = 0;
	while (n < 8 && number(&p, end, &v[n]))
		n++;
	if (n < 4)
		return false;
	uint64_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total = total + v[i] < total ? UINT64_MAX : total + v[i];
	uint64_t idle = v[3] + (n > 4 ? v[4] : 0);
	out->total = total;
	out->busy = total > idle ? total - idle : 0;
	return true;
}

int pi_meters_parse_stat(const char *text, size_t len, struct pi_cpu_ticks *all,
			 struct pi_cpu_ticks *cpus, unsigned *ids, unsigned max, unsigned *n)
{
	const char *p = text, *end = text + len;
	bool have_all = false;
	*n = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol - p > 3 && !memcmp(p, "cpu", 3)) {
			const char *q = p + 3;
			uint64_t id;
			if (q < eol && *q == ' ') {
				have_all = cpu_ticks(q, eol, all) || have_all;
			} else if (number(&q, eol, &id) && *n < max && id <= UINT32_MAX &&
				   cpu_ticks(q, eol, &cpus[*n])) {
				ids[*n] = (unsigned)id;
				(*n)++;
			}
		}
		p = eol + 1;
	}
	return have_all ? 0 : -EINVAL;
}

/* "Name:   123 kB" */
static bool meminfo_field(const char *line, const char *eol, const char *name, uint64_t *kb)
{
	size_t n = strlen(name);
	if ((size_t)(eol - line) <= n || memcmp(line, name, n) || line[n] != ':')
		return false;
	const char *p = line + n + 1;
	return number(&p, eol, kb);
}

int pi_meters_parse_meminfo(const char *text, size_t len, uint64_t *mem_total, uint64_t *mem_used,
			    uint64_t *swap_total, uint64_t *swap_used)
{
	uint64_t total = 0, avail = 0, free_kb = 0, stotal = 0, sfree = 0;
	bool have_total = false, have_avail = false;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		have_total = meminfo_field(p, eol, "MemTotal", &total) || have_total;
		have_avail = meminfo_field(p, eol, "MemAvailable", &avail) || have_avail;
		meminfo_field(p, eol, "MemFree", &free_kb);
		meminfo_field(p, eol, "SwapTotal", &stotal);
		meminfo_field(p, eol, "SwapFree", &sfree);
		p = eol + 1;
	}
	if (!have_total)
		return -EINVAL;
	if (!have_avail)
		avail = free_kb;
	/* (kB as the kernel writes them; at most 2^54 of them fit.) */
	const uint64_t cap = UINT64_MAX / 1024;
	total = total > cap ? cap : total;
	stotal = stotal > cap ? cap : stotal;
	*mem_total = total * 1024;
	*mem_used = (total > avail ? total - avail : 0) * 1024;
	*swap_total = stotal * 1024;
	*swap_used = (stotal > sfree ? stotal - sfree : 0) * 1024;
	return 0;
}

double pi_meters_percent(const struct pi_cpu_ticks *old, const struct pi_cpu_ticks *now)
{
	if (now->total <= old->total)
		return NAN;
	uint64_t busy = now->busy > old->busy ? now->busy - old->busy : 0;
	double p = 100.0 * (double)busy / (double)(now->total - old->total);
	return p > 100 ? 100 : p;
}

void pi_meters_read(struct pi_meters *m)
{
	struct pi_buf b = PI_BUF_INIT;

	m->old_all = m->all;
	memcpy(m->old_cpus, m->cpus, sizeof m->cpus);
	m->old_ncpus = m->ncpus;
	bool had = m->stat_known;
	m->stat_known = pi_proc_read_self("stat", &b) == 0 &&
			pi_meters_parse_stat(b.data, b.len, &m->all, m->cpus, m->cpu_id,
					     PI_METERS_CPUS_MAX, &m->ncpus) == 0;
	m->all_percent = NAN;
	for (unsigned i = 0; i < PI_METERS_CPUS_MAX; i++)
		m->cpu_percent[i] = NAN;
	if (m->stat_known && had) {
		m->all_percent = pi_meters_percent(&m->old_all, &m->all);
		for (unsigned i = 0; i < m->ncpus && i < m->old_ncpus; i++)
			m->cpu_percent[i] = pi_meters_percent(&m->old_cpus[i], &m->cpus[i]);
	}
	pi_buf_reset(&b);
	m->mem_known = pi_proc_read_self("meminfo", &b) == 0 &&
		       pi_meters_parse_meminfo(b.data, b.len, &m->mem_total, &m->mem_used,
					       &m->swap_total, &m->swap_used) == 0;
	pi_buf_free(&b);
}

/* "label[|||||     text]" in width columns: the bar filled to fraction
 * (0..1; NaN: empty), text at its right end. */
static void bar(struct pi_buf *out, const char *label, double fraction, const char *text, int width)
{
	int inner = width - (int)strlen(label) - 2;
	int tl = (int)strlen(text);
	if (inner < tl)
		inner = tl;
	int fill = isnan(fraction) ? 0 : (int)lround(fraction * inner);
	if (fill > inner)
		fill = inner;
	if (fill < 0)
		fill = 0;
	pi_buf_puts(out, label);
	pi_buf_putc(out, '[');
	for (int i = 0; i < inner - tl; i++)
		pi_buf_putc(out, i < fill ? '|' : ' ');
	pi_buf_puts(out, text);
	pi_buf_putc(out, ']');
}

static void percent_text(char *out, size_t size, double p)
{
	if (isnan(p))
		snprintf(out, size, "-%%");
	else
		snprintf(out, size, "%.1f%%", p);
}

enum { CPU_METER_MIN = 16, GAP = 2 };

/* Whatever is still too wide (ASCII only) is cut at the edge. */
static unsigned cut(struct pi_buf *lines, unsigned n, int cols)
{
	for (unsigned i = 0; i < n; i++)
		if (lines[i].len > (size_t)cols) {
			lines[i].len = (size_t)cols;
			lines[i].data[cols] = '\0';
		}
	return n;
}

unsigned pi_meters_lines(const struct pi_meters *m, int cols, unsigned max_lines,
			 struct pi_buf *lines)
{
	unsigned used = 0;
	char text[64], label[16], a[16], b[16];

	if (!max_lines || cols < 20)
		return 0;
	/* The CPUs: as many bars to a line as fit; if they need more lines
	 * than there are (all but the memory line), their average alone. */
	unsigned cpu_lines = max_lines > 1 ? max_lines - 1 : 1;
	unsigned per_line = (unsigned)((cols + GAP) / (CPU_METER_MIN + GAP));
	if (!per_line)
		per_line = 1;
	unsigned need = m->ncpus ? (m->ncpus + per_line - 1) / per_line : 0;
	pi_buf_reset(&lines[used]);
	if (!m->stat_known) {
		pi_buf_puts(&lines[used++], "CPU: not readable (/proc/stat)");
	} else if (m->ncpus <= 1 || need > cpu_lines || m->ncpus > PI_METERS_CPUS_MAX - 1) {
		percent_text(text, sizeof text, m->all_percent);
		snprintf(label, sizeof label, "CPU");
		bar(&lines[used], label, m->all_percent / 100, text, cols < 60 ? cols : 60);
		if (m->ncpus > 1)
			pi_buf_printf(&lines[used], " average of %u CPUs", m->ncpus);
		used++;
	} else {
		/* Spread the bars over the width. */
		unsigned on_line = (m->ncpus + need - 1) / need;
		int w = (cols - (int)(on_line - 1) * GAP) / (int)on_line;
		for (unsigned i = 0; i < m->ncpus; i++) {
			if (i && i % on_line == 0)
				pi_buf_reset(&lines[++used]);
			else if (i)
				pi_buf_pad(&lines[used], GAP);
			percent_text(text, sizeof text, m->cpu_percent[i]);
			snprintf(label, sizeof label, "%u", m->cpu_id[i]);
			bar(&lines[used], label, m->cpu_percent[i] / 100, text, w);
		}
		used++;
	}
	if (used >= max_lines)
		return cut(lines, used, cols);
	/* Memory and swap, side by side. */
	pi_buf_reset(&lines[used]);
	if (!m->mem_known) {
		pi_buf_puts(&lines[used], "Mem: not readable (/proc/meminfo)");
	} else {
		int w = (cols - GAP) / 2;
		snprintf(text, sizeof text, "%s/%s", pi_short_bytes(a, sizeof a, m->mem_used),
			 pi_short_bytes(b, sizeof b, m->mem_total));
		bar(&lines[used], "Mem", m->mem_total ? (double)m->mem_used / (double)m->mem_total : NAN,
		    text, w);
		size_t mem_len = lines[used].len;
		pi_buf_pad(&lines[used], GAP);
		snprintf(text, sizeof text, "%s/%s", pi_short_bytes(a, sizeof a, m->swap_used),
			 pi_short_bytes(b, sizeof b, m->swap_total));
		bar(&lines[used], "Swp",
		    m->swap_total ? (double)m->swap_used / (double)m->swap_total : NAN, text, w);
		/* Too narrow for both: memory alone. */
		if (lines[used].len > (size_t)cols) {
			lines[used].len = mem_len;
			lines[used].data[mem_len] = '\0';
		}
	}
	return cut(lines, used + 1, cols);
}
