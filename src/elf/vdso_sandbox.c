#include "elf/vdso_sandbox.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "elf/vdso.h"
#include "sandbox/wire.h"
#include "util/xalloc.h"

enum {
	REC_BUILD_ID = 1,	/* lower-case hex */
	REC_SONAME = 2,
	REC_SYMBOL = 3,		/* one exported function */
};

struct job {
	int (*decode)(void *image, size_t size, struct pi_vdso *v);
	void *image;
	size_t size;
};

/* In the child. Caps what it sends the way the root side checks it, so
 * that only a subverted child is ever rejected. */
static int decode_in_child(struct pi_sandbox_child *c, void *arg)
{
	const struct job *job = arg;
	struct pi_vdso v;
	memset(&v, 0, sizeof v);
	int err = job->decode(job->image, job->size, &v);
	if (err) {
		pi_strv_free(&v.symbols);
		return err;
	}
	if (v.build_id[0])
		pi_wire_put_str(&c->out, REC_BUILD_ID, v.build_id);
	if (v.soname[0])
		pi_wire_put_str(&c->out, REC_SONAME, v.soname);
	size_t sent = 0;
	for (size_t i = 0; i < v.symbols.n && sent < PI_VDSO_MAX_SYMBOLS; i++) {
		size_t len = strlen(v.symbols.v[i]);
		if (len == 0 || len > PI_VDSO_MAX_NAME)
			continue;
		pi_wire_put(&c->out, REC_SYMBOL, v.symbols.v[i], len);
		sent++;
	}
	/* Freed although the child ends next: under valgrind, the child's
	 * own leak check would count it. */
	pi_strv_free(&v.symbols);
	return 0;
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The root side: every record checked; one bad record rejects them all. */
static int read_records(size_t max_record, const struct pi_buf *reply, struct pi_vdso *out)
{
	struct pi_wire_reader r;
	struct pi_wire_record rec;
	char name[PI_VDSO_MAX_NAME + 1];
	int got;

	pi_wire_reader_init(&r, reply->data, reply->len, max_record);
	while ((got = pi_wire_next(&r, &rec)) == 1) {
		switch (rec.type) {
		case REC_BUILD_ID:
			if (out->build_id[0]
			    || pi_wire_get_str(&rec, 2, sizeof out->build_id - 1, out->build_id) != 0
			    || rec.len % 2 != 0 || !is_hex(out->build_id))
				return -PI_ERR_SANDBOX_REPLY;
			break;
		case REC_SONAME:
			if (out->soname[0]
			    || pi_wire_get_str(&rec, 1, sizeof out->soname - 1, out->soname) != 0)
				return -PI_ERR_SANDBOX_REPLY;
			break;
		case REC_SYMBOL:
			if (out->symbols.n >= PI_VDSO_MAX_SYMBOLS
			    || pi_wire_get_str(&rec, 1, PI_VDSO_MAX_NAME, name) != 0)
				return -PI_ERR_SANDBOX_REPLY;
			pi_strv_push(&out->symbols, name, rec.len);
			break;
		default:
			return -PI_ERR_SANDBOX_REPLY;
		}
	}
	return got < 0 ? -PI_ERR_SANDBOX_REPLY : 0;
}

struct pi_vdso_job {
	struct pi_sandbox_job *sandbox;
	size_t max_record;
};

static int start_with(const struct pi_sandbox_config *cfg,
		      int (*decode)(void *image, size_t size, struct pi_vdso *v),
		      void *image, size_t size, struct pi_vdso_job **out)
{
	/* The child reads its copy of this, made by the fork. */
	struct job job = { decode, image, size };
	struct pi_sandbox_job *sandbox;
	int err = pi_sandbox_start(cfg, decode_in_child, &job, &sandbox);
	if (err)
		return err;
	*out = pi_xcalloc(1, sizeof **out);
	(*out)->sandbox = sandbox;
	(*out)->max_record = cfg->max_record;
	return 0;
}

int pi_vdso_decode_finish(struct pi_vdso_job *job, struct pi_vdso *v)
{
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	size_t max_record = job->max_record;

	int err = pi_sandbox_finish(job->sandbox, &reply, &o);
	free(job);
	if (!err && o.status != 0 && o.status != -EINVAL)
		err = -PI_ERR_SANDBOX_REPLY;	/* the decoder fails with -EINVAL only */
	if (!err && o.status == -EINVAL && reply.len != 0)
		err = -PI_ERR_SANDBOX_REPLY;
	if (!err && o.status == -EINVAL)
		err = -EINVAL;
	if (!err) {
		struct pi_vdso got;
		memset(&got, 0, sizeof got);
		err = read_records(max_record, &reply, &got);
		if (err) {
			pi_strv_free(&got.symbols);
		} else {
			memcpy(v->build_id, got.build_id, sizeof v->build_id);
			memcpy(v->soname, got.soname, sizeof v->soname);
			pi_strv_free(&v->symbols);
			v->symbols = got.symbols;
		}
	}
	pi_buf_free(&reply);
	return err;
}

int pi_vdso_decode_sandboxed_with(const struct pi_sandbox_config *cfg,
				  int (*decode)(void *image, size_t size, struct pi_vdso *v),
				  void *image, size_t size, struct pi_vdso *v)
{
	struct pi_vdso_job *job;
	int err = start_with(cfg, decode, image, size, &job);
	return err ? err : pi_vdso_decode_finish(job, v);
}

static void vdso_config(struct pi_sandbox_config *cfg)
{
	pi_sandbox_config_init(cfg);
	/* An image is at most 1 MiB (collect/process.c); libelf's view of it
	 * is smaller still. */
	cfg->mem_budget = (size_t)64 << 20;
	cfg->max_reply = (size_t)1 << 20;
	cfg->max_record = 4096;
}

int pi_vdso_decode_start(void *image, size_t size, struct pi_vdso_job **job)
{
	struct pi_sandbox_config cfg;
	vdso_config(&cfg);
	return start_with(&cfg, pi_vdso_decode, image, size, job);
}

int pi_vdso_decode_sandboxed(void *image, size_t size, struct pi_vdso *v)
{
	struct pi_sandbox_config cfg;
	vdso_config(&cfg);
	return pi_vdso_decode_sandboxed_with(&cfg, pi_vdso_decode, image, size, v);
}
