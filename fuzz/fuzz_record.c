/* A recording (--replay FILE) is input too: anyone who can write the
 * file controls it. The first byte chooses: a chunk decoded as a
 * refresh (and, when accepted, the table rendered as batch mode would),
 * or the bytes as a whole file of gzip members, indexed and every
 * refresh loaded. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "record/codec.h"
#include "record/reader.h"
#include "render/table_text.h"
#include "table/columns.h"

static void render(struct pi_table *t)
{
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_CPU, .descending = true, .threads = true,
				     .tree = true, .columns = pi_columns_all() };
	struct pi_buf out = PI_BUF_INIT;
	pi_view_build(&v, t, &o);
	pi_render_table_text(&out, t, &v, &o);
	pi_buf_free(&out);
	pi_view_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct pi_table t;
		struct pi_meters m;
		if (pi_record_decode_frame(data + 1, size - 1, &t, &m, why, sizeof why) == 0) {
			fz_require(m.ncpus <= PI_METERS_CPUS_MAX);
			render(&t);
		} else {
			fz_require(why[0] != '\0');
		}
		pi_table_done(&t);
		return 0;
	}
	int fd = memfd_create("fuzz-record", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	struct pi_replay r;
	if (pi_replay_open_fd(&r, fd, why, sizeof why) == 0) {
		for (size_t i = 0; i < r.nframes; i++) {
			struct pi_table t;
			fz_require(pi_replay_load(&r, i, &t, NULL, why, sizeof why) == 0);
			render(&t);
			pi_table_done(&t);
		}
	}
	pi_replay_close(&r);
	return 0;
}
