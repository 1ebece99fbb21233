#include "proc/netsock.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proc/scan.h"

static const char *const tcp_states[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2", [6] = "TIME_WAIT", [7] = "CLOSE", [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
};

const char *pi_tcp_state_name(unsigned state)
{
	if (state < sizeof tcp_states / sizeof tcp_states[0] && tcp_states[state])
		return tcp_states[state];
	return "unknown";
}

/* Exactly n hex digits → value. */
static bool hex_exact(struct pi_scan *s, size_t n, uint32_t *v)
{
	uint32_t x = 0;
	if (pi_scan_left(s) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s->p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		x = x << 4 | d;
	}
	s->p += n;
	*v = x;
	return true;
}

/* "0100007F:C8A7": the address as the kernel's words in this machine's
 * byte order (so copying each word back gives network order), then the
 * port. */
static bool parse_endpoint(struct pi_scan *s, bool ipv6, struct pi_inet_endpoint *e)
{
	uint32_t word, port;

	pi_scan_blank(s);
	memset(e, 0, sizeof *e);
	for (int i = 0; i < (ipv6 ? 4 : 1); i++) {
		if (!hex_exact(s, 8, &word))
			return false;
		memcpy(e->addr + 4 * i, &word, 4);
	}
	if (!pi_scan_char(s, ':') || !hex_exact(s, 4, &port))
		return false;
	e->port = (uint16_t)port;
	return true;
}

static bool parse_inet(struct pi_scan s, bool ipv6, struct pi_inet_socket *k)
{
	uint64_t v, state, tx, rx, uid;

	memset(k, 0, sizeof *k);
	k->ipv6 = ipv6;
	if (!pi_scan_u64(&s, &v) || !pi_scan_char(&s, ':') || !parse_endpoint(&s, ipv6, &k->local)
	    || !parse_endpoint(&s, ipv6, &k->remote) || !pi_scan_hex(&s, &state) || state > 0xff
	    || !pi_scan_hex(&s, &tx) || !pi_scan_char(&s, ':') || !pi_scan_hex(&s, &rx)
	    || tx > UINT32_MAX || rx > UINT32_MAX)
		return false;
	/* tr:tm->when, retrnsmt */
	if (!pi_scan_hex(&s, &v) || !pi_scan_char(&s, ':') || !pi_scan_hex(&s, &v) || !pi_scan_hex(&s, &v))
		return false;
	if (!pi_scan_u64(&s, &uid) || uid > UINT32_MAX || !pi_scan_u64(&s, &v) /* timeout */
	    || !pi_scan_u64(&s, &k->inode))
		return false;
	k->state = (unsigned)state;
	k->tx_queue = (uint32_t)tx;
	k->rx_queue = (uint32_t)rx;
	k->uid = (uid_t)uid;
	return true;
}

size_t pi_inet_sockets_parse(const char *text, size_t len, bool ipv6, size_t max_sockets,
			     void (*fn)(void *arg, const struct pi_inet_socket *sock), void *arg,
			     size_t *skipped)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	size_t n = 0;
	bool header = true;

	*skipped = 0;
	while (n < max_sockets && pi_scan_line(&s, &line)) {
		struct pi_inet_socket k;
		if (header) {
			header = false;
			continue;
		}
		if (pi_scan_done(&line))
			continue;
		if (!parse_inet(line, ipv6, &k)) {
			(*skipped)++;
			continue;
		}
		fn(arg, &k);
		n++;
	}
	return n;
}

/* "0000000094482cd5: 00000003 00000000 00000000 0001 03 4398604 @abc" */
static bool parse_unix(struct pi_scan s, struct pi_unix_socket *u)
{
	uint64_t v, flags, type, state;

	memset(u, 0, sizeof *u);
	if (!pi_scan_hex(&s, &v) || !pi_scan_char(&s, ':') || !pi_scan_hex(&s, &v) /* refcount */
	    || !pi_scan_hex(&s, &v) /* protocol */ || !pi_scan_hex(&s, &flags)
	    || !pi_scan_hex(&s, &type) || type > 0xffff || !pi_scan_hex(&s, &state) || state > 0xff
	    || !pi_scan_u64(&s, &u->inode))
		return false;
	u->type = (unsigned)type;
	u->state = (unsigned)state;
	u->listening = (flags & 0x10000) != 0;
	if (pi_scan_done(&s))
		return true;
	if (!pi_scan_char(&s, ' ') || pi_scan_done(&s))
		return false;
	/* The rest is the path, spaces and all; sun_path bounds it. */
	if (pi_scan_left(&s) > PI_UNIX_PATH_MAX)
		return false;
	u->have_path = true;
	u->abstract = *s.p == '@';
	memcpy(u->path, s.p, pi_scan_left(&s));
	u->path[pi_scan_left(&s)] = '\0';
	return true;
}

size_t pi_unix_sockets_parse(const char *text, size_t len, size_t max_sockets,
			     void (*fn)(void *arg, const struct pi_unix_socket *sock), void *arg,
			     size_t *skipped)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	size_t n = 0;
	bool header = true;

	*skipped = 0;
	while (n < max_sockets && pi_scan_line(&s, &line)) {
		struct pi_unix_socket u;
		if (header) {
			header = false;
			continue;
		}
		if (pi_scan_done(&line))
			continue;
		if (!parse_unix(line, &u)) {
			(*skipped)++;
			continue;
		}
		fn(arg, &u);
		n++;
	}
	return n;
}

void pi_inet_endpoint_format(const struct pi_inet_endpoint *e, bool ipv6, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, e->addr, a, sizeof a))
		snprintf(a, sizeof a, "?");
	snprintf(out, size, ipv6 ? "[%s]:%u" : "%s:%u", a, (unsigned)e->port);
}

bool pi_inet_is_loopback(const struct pi_inet_endpoint *e, bool ipv6)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (!ipv6)
		return e->addr[0] == 127;
	if (memcmp(e->addr, v6_loopback, 16) == 0)
		return true;
	return memcmp(e->addr, v4_mapped, 12) == 0 && e->addr[12] == 127;
}
