#include "runtime/rust_demangle.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Parse steps one name may take: a back-reference re-reads what it points
 * at, so nested ones could otherwise multiply the work of a short name. */
enum { MAX_STEPS = 20000 };

struct out {
	char buf[PI_RUST_MAX_OUT + 1];
	size_t len;
	bool err;
	int quiet;		/* > 0: parse without printing (an impl's own path) */
};

static void put_n(struct out *o, const char *s, size_t n)
{
	if (o->err || o->quiet)
		return;
	if (n > PI_RUST_MAX_OUT - o->len) {
		o->err = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	put(o, tmp);
}

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ---------------------------------------------------------------- v0 */

struct v0 {
	const char *s;		/* after "_R" */
	size_t len, pos;
	int depth;
	unsigned steps;
	uint64_t bound_lifetimes;	/* lifetimes bound by enclosing for<...> */
	struct out *o;
};

static bool fail(struct v0 *d)
{
	d->o->err = true;
	return false;
}

static bool ok(const struct v0 *d)
{
	return !d->o->err;
}

static char peek(const struct v0 *d)
{
	return d->pos < d->len ? d->s[d->pos] : 0;
}

static char next(struct v0 *d)
{
	if (d->pos >= d->len) {
		fail(d);
		return 0;
	}
	return d->s[d->pos++];
}

static bool eat(struct v0 *d, char c)
{
	if (peek(d) != c)
		return false;
	d->pos++;
	return true;
}

/* Entering a rule: bounded depth and total work. */
static bool enter(struct v0 *d)
{
	if (!ok(d) || ++d->depth > PI_RUST_MAX_DEPTH || ++d->steps > MAX_STEPS)
		return fail(d);
	return true;
}

static void leave(struct v0 *d)
{
	d->depth--;
}

/* <base-62-number> = {<0-9a-zA-Z>} "_": "_" is 0, "0_" 1, ... */
static uint64_t integer_62(struct v0 *d)
{
	if (eat(d, '_'))
		return 0;
	uint64_t x = 0;
	for (;;) {
		char c = next(d);
		if (!ok(d))
			return 0;
		if (c == '_')
			break;
		unsigned v;
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'z')
			v = 10u + (unsigned)(c - 'a');
		else if (c >= 'A' && c <= 'Z')
			v = 36u + (unsigned)(c - 'A');
		else
			return fail(d), 0;
		if (x > (UINT64_MAX - v) / 62)
			return fail(d), 0;
		x = x * 62 + v;
	}
	if (x == UINT64_MAX)
		return fail(d), 0;
	return x + 1;
}

/* tag <base-62-number>, or 0 when the tag is absent. */
static uint64_t opt_integer_62(struct v0 *d, char tag)
{
	if (!eat(d, tag))
		return 0;
	uint64_t x = integer_62(d);
	if (x == UINT64_MAX)
		return fail(d), 0;
	return x + 1;
}

/* <decimal-number> = "0" | <1-9> {<0-9>} */
static size_t decimal(struct v0 *d)
{
	char c = peek(d);
	if (c == '0') {
		d->pos++;
		return 0;
	}
	if (c < '1' || c > '9')
		return fail(d), 0;
	size_t x = 0;
	while ((c = peek(d)) >= '0' && c <= '9') {
		x = x * 10 + (size_t)(c - '0');
		if (x > d->len)
			return fail(d), 0;	/* longer than the name itself */
		d->pos++;
	}
	return x;
}

struct ident {
	const char *ascii, *puny;
	size_t ascii_len, puny_len;
};

/* <undisambiguated-identifier> = ["u"] <decimal-number> ["_"] <bytes> */
static struct ident ident(struct v0 *d)
{
	struct ident id = { NULL, NULL, 0, 0 };
	bool is_puny = eat(d, 'u');
	size_t n = decimal(d);
	eat(d, '_');
	if (!ok(d) || n > d->len - d->pos)
		return fail(d), id;
	const char *b = d->s + d->pos;
	d->pos += n;
	for (size_t i = 0; i < n; i++)
		if (!is_ident_char(b[i]))
			return fail(d), id;
	if (!is_puny) {
		id.ascii = b;
		id.ascii_len = n;
		return id;
	}
	/* The last '_' (punycode's '-') ends the ASCII part, if any. */
	size_t cut = n;
	while (cut > 0 && b[cut - 1] != '_')
		cut--;
	id.ascii = b;
	id.ascii_len = cut ? cut - 1 : 0;
	id.puny = b + cut;
	id.puny_len = n - cut;
	if (!id.puny_len)
		return fail(d), id;
	return id;
}

static void put_ident(struct v0 *d, const struct ident *id)
{
	if (!id->puny) {
		put_n(d->o, id->ascii, id->ascii_len);
		return;
	}
	put(d->o, "punycode{");
	if (id->ascii_len) {
		put_n(d->o, id->ascii, id->ascii_len);
		put(d->o, "-");
	}
	put_n(d->o, id->puny, id->puny_len);
	put(d->o, "}");
}

/* <backref> = "B" <base-62-number>, the 'B' already read: a position
 * strictly before the back-reference itself. */
static bool backref(struct v0 *d, size_t *target)
{
	size_t at = d->pos - 1;
	uint64_t x = integer_62(d);
	if (!ok(d) || x >= at)
		return fail(d);
	*target = (size_t)x;
	return true;
}

static void path(struct v0 *d, bool in_value);
static void type(struct v0 *d);
static void constant(struct v0 *d);

/* Reads another rule at a back-reference, and comes back. Quiet parsing
 * need not follow one: what it points at was read already. */
static void follow(struct v0 *d, void (*rule)(struct v0 *, bool), bool in_value)
{
	size_t target;
	if (!backref(d, &target) || d->o->quiet)
		return;
	size_t saved = d->pos;
	d->pos = target;
	rule(d, in_value);
	d->pos = saved;
}

static void type_rule(struct v0 *d, bool unused)
{
	(void)unused;
	type(d);
}

static void const_rule(struct v0 *d, bool unused)
{
	(void)unused;
	constant(d);
}

static void lifetime(struct v0 *d, uint64_t lt)
{
	if (lt == 0) {
		put(d->o, "'_");
		return;
	}
	if (lt > d->bound_lifetimes) {
		fail(d);
		return;
	}
	uint64_t depth = d->bound_lifetimes - lt;
	if (depth < 26) {
		char s[3] = { '\'', (char)('a' + depth), 0 };
		put(d->o, s);
	} else {
		put(d->o, "'_");
		put_u64(d->o, depth);
	}
}

/* [<binder>] = "G" <base-62-number>: for<'a, 'b> */
static uint64_t binder(struct v0 *d)
{
	uint64_t n = opt_integer_62(d, 'G');
	if (!ok(d) || n > 1000)
		return fail(d), 0;
	if (!n)
		return 0;
	put(d->o, "for<");
	for (uint64_t i = 0; i < n && ok(d); i++) {
		if (i)
			put(d->o, ", ");
		d->bound_lifetimes++;
		lifetime(d, 1);
	}
	put(d->o, "> ");
	return n;
}

static void generic_arg(struct v0 *d)
{
	if (eat(d, 'L'))
		lifetime(d, integer_62(d));
	else if (eat(d, 'K'))
		constant(d);
	else
		type(d);
}

static void path(struct v0 *d, bool in_value)
{
	if (!enter(d))
		return;
	char tag = next(d);
	struct ident id;
	switch (tag) {
	case 'C':	/* crate root: its hash (disambiguator) is dropped */
		opt_integer_62(d, 's');
		id = ident(d);
		put_ident(d, &id);
		break;
	case 'M':	/* <T> */
	case 'X':	/* <T as Trait> */
		opt_integer_62(d, 's');
		d->o->quiet++;
		path(d, false);
		d->o->quiet--;
		/* fallthrough */
	case 'Y':	/* <T as Trait> */
		put(d->o, "<");
		type(d);
		if (tag != 'M') {
			put(d->o, " as ");
			path(d, false);
		}
		put(d->o, ">");
		break;
	case 'N': {
		char ns = next(d);
		if (!((ns >= 'a' && ns <= 'z') || (ns >= 'A' && ns <= 'Z'))) {
			fail(d);
			break;
		}
		path(d, in_value);
		uint64_t dis = opt_integer_62(d, 's');
		id = ident(d);
		if (ns >= 'A' && ns <= 'Z') {
			/* closures, shims and other special namespaces */
			put(d->o, "::{");
			if (ns == 'C')
				put(d->o, "closure");
			else if (ns == 'S')
				put(d->o, "shim");
			else
				put_n(d->o, &ns, 1);
			if (id.ascii_len || id.puny) {
				put(d->o, ":");
				put_ident(d, &id);
			}
			put(d->o, "#");
			put_u64(d->o, dis);
			put(d->o, "}");
		} else if (id.ascii_len || id.puny) {
			put(d->o, "::");
			put_ident(d, &id);
		}
		break;
	}
	case 'I':	/* generic arguments */
		path(d, in_value);
		put(d->o, in_value ? "::<" : "<");
		for (int i = 0; ok(d) && !eat(d, 'E'); i++) {
			if (i)
				put(d->o, ", ");
			generic_arg(d);
		}
		put(d->o, ">");
		break;
	case 'B':
		follow(d, path, in_value);
		break;
	default:
		fail(d);
	}
	leave(d);
}

static const char *basic_type(char c)
{
	switch (c) {
	case 'a': return "i8";
	case 'b': return "bool";
	case 'c': return "char";
	case 'd': return "f64";
	case 'e': return "str";
	case 'f': return "f32";
	case 'h': return "u8";
	case 'i': return "isize";
	case 'j': return "usize";
	case 'l': return "i32";
	case 'm': return "u32";
	case 'n': return "i128";
	case 'o': return "u128";
	case 's': return "i16";
	case 't': return "u16";
	case 'u': return "()";
	case 'v': return "...";
	case 'x': return "i64";
	case 'y': return "u64";
	case 'z': return "!";
	case 'p': return "_";
	default: return NULL;
	}
}

/* A path that may end in generic arguments left open, for the associated
 * type bindings of a dyn trait: dyn Iterator<Item = u8>. */
static bool path_open_generics(struct v0 *d)
{
	if (eat(d, 'B')) {
		size_t target;
		if (!backref(d, &target))
			return false;
		if (d->o->quiet)
			return false;
		size_t saved = d->pos;
		d->pos = target;
		bool open = enter(d) && path_open_generics(d);
		if (ok(d))
			leave(d);
		d->pos = saved;
		return open;
	}
	if (eat(d, 'I')) {
		path(d, false);
		put(d->o, "<");
		for (int i = 0; ok(d) && !eat(d, 'E'); i++) {
			if (i)
				put(d->o, ", ");
			generic_arg(d);
		}
		return true;
	}
	path(d, false);
	return false;
}

static void dyn_trait(struct v0 *d)
{
	bool open = path_open_generics(d);
	while (ok(d) && eat(d, 'p')) {
		put(d->o, open ? ", " : "<");
		open = true;
		struct ident id = ident(d);
		put_ident(d, &id);
		put(d->o, " = ");
		type(d);
	}
	if (open)
		put(d->o, ">");
}

static void fn_sig(struct v0 *d)
{
	uint64_t bound = binder(d);
	if (eat(d, 'U'))
		put(d->o, "unsafe ");
	if (eat(d, 'K')) {
		put(d->o, "extern \"");
		if (eat(d, 'C')) {
			put(d->o, "C");
		} else {
			struct ident abi = ident(d);
			if (abi.puny) {
				fail(d);
			} else {
				for (size_t i = 0; i < abi.ascii_len; i++)
					put_n(d->o, abi.ascii[i] == '_' ? "-" : &abi.ascii[i], 1);
			}
		}
		put(d->o, "\" ");
	}
	put(d->o, "fn(");
	for (int i = 0; ok(d) && !eat(d, 'E'); i++) {
		if (i)
			put(d->o, ", ");
		type(d);
	}
	put(d->o, ")");
	if (eat(d, 'u')) {
		/* returns (): not written */
	} else {
		put(d->o, " -> ");
		type(d);
	}
	d->bound_lifetimes -= bound;
}

static void type(struct v0 *d)
{
	if (!enter(d))
		return;
	char c = next(d);
	const char *basic = basic_type(c);
	uint64_t bound;
	if (basic) {
		put(d->o, basic);
		leave(d);
		return;
	}
	switch (c) {
	case 'R':
	case 'Q':
		put(d->o, "&");
		if (eat(d, 'L')) {
			uint64_t lt = integer_62(d);
			if (lt) {
				lifetime(d, lt);
				put(d->o, " ");
			}
		}
		if (c == 'Q')
			put(d->o, "mut ");
		type(d);
		break;
	case 'P':
		put(d->o, "*const ");
		type(d);
		break;
	case 'O':
		put(d->o, "*mut ");
		type(d);
		break;
	case 'A':
		put(d->o, "[");
		type(d);
		put(d->o, "; ");
		constant(d);
		put(d->o, "]");
		break;
	case 'S':
		put(d->o, "[");
		type(d);
		put(d->o, "]");
		break;
	case 'T': {
		put(d->o, "(");
		int i;
		for (i = 0; ok(d) && !eat(d, 'E'); i++) {
			if (i)
				put(d->o, ", ");
			type(d);
		}
		if (i == 1)
			put(d->o, ",");
		put(d->o, ")");
		break;
	}
	case 'F':
		fn_sig(d);
		break;
	case 'D':
		bound = binder(d);
		put(d->o, "dyn ");
		for (int i = 0; ok(d) && !eat(d, 'E'); i++) {
			if (i)
				put(d->o, " + ");
			dyn_trait(d);
		}
		if (!eat(d, 'L')) {
			fail(d);
			break;
		}
		{
			uint64_t lt = integer_62(d);
			if (lt) {
				put(d->o, " + ");
				lifetime(d, lt);
			}
		}
		d->bound_lifetimes -= bound;
		break;
	case 'B':
		follow(d, type_rule, false);
		break;
	default:
		d->pos--;
		path(d, false);
	}
	leave(d);
}

/* <const-data> = ["n"] {<hex-digit>} "_" for an integer, bool or char. */
static void const_int(struct v0 *d, char ty)
{
	bool negative = eat(d, 'n');
	size_t start = d->pos;
	while (hex_value(peek(d)) >= 0)
		d->pos++;
	size_t ndigits = d->pos - start;
	if (!eat(d, '_'))
		return (void)fail(d);
	const char *digits = d->s + start;
	while (ndigits > 1 && digits[0] == '0')
		digits++, ndigits--;
	if (ndigits > 16) {
		/* beyond 64 bits: in hex, as written */
		if (ty == 'b' || ty == 'c')
			return (void)fail(d);
		put(d->o, negative ? "-0x" : "0x");
		put_n(d->o, digits, ndigits);
		return;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < ndigits; i++)
		v = v << 4 | (uint64_t)hex_value(digits[i]);
	if (ty == 'b') {
		if (negative || v > 1)
			return (void)fail(d);
		put(d->o, v ? "true" : "false");
	} else if (ty == 'c') {
		if (negative || v > 0x10ffff)
			return (void)fail(d);
		char tmp[16];
		if (v >= 0x20 && v < 0x7f && v != '\'' && v != '\\')
			snprintf(tmp, sizeof tmp, "'%c'", (char)v);
		else
			snprintf(tmp, sizeof tmp, "'\\u{%llx}'", (unsigned long long)v);
		put(d->o, tmp);
	} else {
		if (negative)
			put(d->o, "-");
		put_u64(d->o, v);
	}
}

/* A string constant: hex pairs of its UTF-8 bytes; printable ASCII as it
 * is, any other byte escaped. */
static void const_str(struct v0 *d)
{
	put(d->o, "\"");
	while (ok(d) && !eat(d, '_')) {
		int hi = hex_value(next(d)), lo = hex_value(next(d));
		if (hi < 0 || lo < 0)
			return (void)fail(d);
		unsigned char c = (unsigned char)(hi << 4 | lo);
		char tmp[8];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			snprintf(tmp, sizeof tmp, "%c", c);
		else
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		put(d->o, tmp);
	}
	put(d->o, "\"");
}

static void constant(struct v0 *d)
{
	if (!enter(d))
		return;
	if (eat(d, 'B')) {
		follow(d, const_rule, false);
		leave(d);
		return;
	}
	char ty = next(d);
	int i;
	switch (ty) {
	case 'p':
		put(d->o, "_");
		break;
	case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
	case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
	case 'b': case 'c':
		const_int(d, ty);
		break;
	case 'e':
		const_str(d);
		break;
	case 'R':
	case 'Q':
		put(d->o, ty == 'R' ? "&" : "&mut ");
		constant(d);
		break;
	case 'A':
		put(d->o, "[");
		for (i = 0; ok(d) && !eat(d, 'E'); i++) {
			if (i)
				put(d->o, ", ");
			constant(d);
		}
		put(d->o, "]");
		break;
	case 'T':
		put(d->o, "(");
		for (i = 0; ok(d) && !eat(d, 'E'); i++) {
			if (i)
				put(d->o, ", ");
			constant(d);
		}
		if (i == 1)
			put(d->o, ",");
		put(d->o, ")");
		break;
	case 'V':
		path(d, true);
		if (eat(d, 'U'))
			break;
		if (eat(d, 'T')) {
			put(d->o, "(");
			for (i = 0; ok(d) && !eat(d, 'E'); i++) {
				if (i)
					put(d->o, ", ");
				constant(d);
			}
			put(d->o, ")");
		} else if (eat(d, 'S')) {
			put(d->o, " { ");
			for (i = 0; ok(d) && !eat(d, 'E'); i++) {
				if (i)
					put(d->o, ", ");
				opt_integer_62(d, 's');
				struct ident id = ident(d);
				put_ident(d, &id);
				put(d->o, ": ");
				constant(d);
			}
			put(d->o, " }");
		} else {
			fail(d);
		}
		break;
	default:
		fail(d);
	}
	leave(d);
}

static bool demangle_v0(const char *sym, struct out *o)
{
	/* The mangled part: [A-Za-z0-9_]; a vendor suffix after '.' or '$'
	 * (".llvm.1234") is left off. */
	size_t len = 0;
	while (is_ident_char(sym[len]))
		len++;
	if (sym[len] && sym[len] != '.' && sym[len] != '$')
		return false;
	struct v0 d = { sym, len, 0, 0, 0, 0, o };
	/* An encoding version: none is defined yet. */
	if (peek(&d) >= '0' && peek(&d) <= '9')
		return false;
	path(&d, true);
	/* The instantiating crate, not shown. */
	if (ok(&d) && d.pos < d.len) {
		o->quiet++;
		path(&d, false);
		o->quiet--;
	}
	return ok(&d) && d.pos == d.len;
}

/* ------------------------------------------------------------ legacy */

/* "$LT$" and the others: what each escape stands for. */
static bool legacy_escape(const char *code, size_t n, char *c)
{
	static const struct { const char *code; char c; } table[] = {
		{ "SP", '@' }, { "BP", '*' }, { "RF", '&' }, { "LT", '<' }, { "GT", '>' },
		{ "LP", '(' }, { "RP", ')' }, { "C", ',' },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strlen(table[i].code) == n && memcmp(code, table[i].code, n) == 0) {
			*c = table[i].c;
			return true;
		}
	/* $uXX$: a character by its code, printable ASCII only */
	if (n == 3 && code[0] == 'u' && hex_value(code[1]) >= 0 && hex_value(code[2]) >= 0) {
		int v = hex_value(code[1]) << 4 | hex_value(code[2]);
		if (v >= 0x20 && v < 0x7f) {
			*c = (char)v;
			return true;
		}
	}
	return false;
}

static bool legacy_component(struct out *o, const char *s, size_t n)
{
	if (n >= 2 && s[0] == '_' && s[1] == '$')
		s++, n--;
	for (size_t i = 0; i < n;) {
		if (s[i] == '$') {
			const char *end = memchr(s + i + 1, '$', n - i - 1);
			char c;
			if (!end || !legacy_escape(s + i + 1, (size_t)(end - s - i - 1), &c))
				return false;
			put_n(o, &c, 1);
			i = (size_t)(end - s) + 1;
		} else if (s[i] == '.') {
			bool pair = i + 1 < n && s[i + 1] == '.';
			put(o, pair ? "::" : ".");
			i += pair ? 2 : 1;
		} else if (is_ident_char(s[i])) {
			put_n(o, s + i, 1);
			i++;
		} else {
			return false;
		}
	}
	return true;
}

/* Is s[0..n) the hash component, "h" and 16 hex digits? */
static bool legacy_hash(const char *s, size_t n)
{
	if (n != 17 || s[0] != 'h')
		return false;
	for (size_t i = 1; i < n; i++)
		if (hex_value(s[i]) < 0)
			return false;
	return true;
}

/* Walks "_ZN" {<length> <bytes>} "E" [".suffix"]: with o NULL only
 * checks the shape; else prints every component but the hash. */
static bool legacy(const char *name, struct out *o)
{
	if (strncmp(name, "_ZN", 3) != 0)
		return false;
	const char *p = name + 3;
	size_t ncomp = 0;
	const char *last = NULL;
	size_t last_len = 0;
	/* first pass: the shape, and where the hash is */
	while (*p != 'E') {
		if (*p < '1' || *p > '9')
			return false;
		size_t n = 0;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (size_t)(*p++ - '0');
			if (n > PI_RUST_MAX_OUT)
				return false;
		}
		if (strnlen(p, n) < n)
			return false;
		last = p;
		last_len = n;
		p += n;
		ncomp++;
	}
	p++;
	if (*p && *p != '.')
		return false;
	if (ncomp < 2 || !legacy_hash(last, last_len))
		return false;
	if (!o)
		return true;
	p = name + 3;
	for (size_t i = 0; i + 1 < ncomp; i++) {
		size_t n = 0;
		while (*p >= '0' && *p <= '9')
			n = n * 10 + (size_t)(*p++ - '0');
		if (i)
			put(o, "::");
		if (!legacy_component(o, p, n))
			return false;
		p += n;
	}
	return !o->err;
}

bool pi_rust_is_mangled(const char *name)
{
	if (!name)
		return false;
	if (strncmp(name, "_R", 2) == 0)
		return true;
	return legacy(name, NULL);
}

char *pi_rust_demangle(const char *name)
{
	if (!name)
		return NULL;
	struct out *o = pi_xcalloc(1, sizeof *o);
	bool done;
	if (strncmp(name, "_R", 2) == 0)
		done = demangle_v0(name + 2, o);
	else
		done = legacy(name, o);
	char *result = NULL;
	if (done && !o->err && o->len) {
		o->buf[o->len] = 0;
		result = pi_xstrdup(o->buf);
	}
	free(o);
	return result;
}
