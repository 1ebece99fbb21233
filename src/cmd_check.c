#include "cmd_check.h"

#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "health/check.h"
#include "output.h"
#include "render/check_json.h"
#include "render/check_text.h"
#include "render/metrics.h"

int pi_cmd_check(const struct pi_options *opt)
{
	struct pi_check c;
	int err = pi_check_run(&c, opt->scans, opt->hung_after_seconds, opt->timeout_seconds);

	if (err) {
		fprintf(stderr, "pinspect: cannot list the processes in /proc: %s\n", strerror(-err));
		pi_check_free(&c);
		return PI_EXIT_FAILURE;
	}
	if (opt->json) {
		struct pi_jw w;
		pi_jw_init(&w, pi_output_write);
		pi_render_check_json(&w, &c);
		pi_jw_finish(&w);
	} else {
		struct pi_buf b = PI_BUF_INIT;
		if (opt->metrics)
			pi_render_metrics(&b, &c);
		else
			pi_render_check_text(&b, &c);
		pi_output_write(b.data, b.len);
		pi_buf_free(&b);
	}
	/* Metrics report what they found in their values: a cron job that
	 * writes them for node_exporter must not fail when they say
	 * "zombies". */
	int status = opt->metrics || !c.nitems ? PI_EXIT_OK : PI_EXIT_FOUND;
	pi_check_free(&c);
	return pi_output_flush() ? PI_EXIT_FAILURE : status;
}
