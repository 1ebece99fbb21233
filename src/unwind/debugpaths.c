#include "unwind/debugpaths.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

bool pi_debuglink_name_ok(const char *name)
{
	if (!name || !*name || strchr(name, '/'))
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strlen(name) <= NAME_MAX;
}

size_t pi_debuglink_paths(const char *file, const char *name, char (*out)[4096], size_t n)
{
	if (!file || file[0] != '/' || !pi_debuglink_name_ok(name))
		return 0;
	const char *slash = strrchr(file, '/');
	int dirlen = (int)(slash - file);
	const char *const forms[] = { "%.*s/%s", "%.*s/.debug/%s", PI_DEBUG_DIR "%.*s/%s" };
	size_t count = 0;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0] && count < n; i++) {
		int len = snprintf(out[count], sizeof out[count], forms[i], dirlen, file, name);
		/* A cut path names some other file; the module itself is no
		 * debug file of its own. */
		if (len < 0 || (size_t)len >= sizeof out[count] || strcmp(out[count], file) == 0)
			continue;
		count++;
	}
	return count;
}

/* Absolute, shorter than PATH_MAX, and no empty, "." or ".." component. */
static bool plain_path(const char *path)
{
	if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
		return false;
	for (const char *c = path + 1;;) {
		const char *end = strchrnul(c, '/');
		size_t len = (size_t)(end - c);
		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!*end)
			return true;
		c = end + 1;
	}
}

/* Is dir (dirlen bytes) the directory holding module (an absolute path)? */
static bool directory_of(const char *dir, size_t dirlen, const char *module)
{
	const char *slash = module ? strrchr(module, '/') : NULL;
	return module && module[0] == '/' && (size_t)(slash - module) == dirlen
	       && memcmp(module, dir, dirlen) == 0;
}

bool pi_debug_path_allowed(const char *path, const char *const *modules, size_t n)
{
	static const char debug_dir[] = PI_DEBUG_DIR "/";
	static const char dot_debug[] = "/.debug";
	if (!plain_path(path))
		return false;
	if (strncmp(path, debug_dir, sizeof debug_dir - 1) == 0)
		return true;
	const char *slash = strrchr(path, '/');
	if (!pi_debuglink_name_ok(slash + 1))
		return false;
	size_t dirlen = (size_t)(slash - path);
	size_t dotlen = sizeof dot_debug - 1;
	bool in_dot_debug = dirlen >= dotlen
			    && memcmp(path + dirlen - dotlen, dot_debug, dotlen) == 0;
	for (size_t i = 0; i < n; i++) {
		if (directory_of(path, dirlen, modules[i])
		    || (in_dot_debug && directory_of(path, dirlen - dotlen, modules[i])))
			return true;
	}
	return false;
}

bool pi_build_id_path(const uint8_t *id, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const char prefix[] = PI_DEBUG_DIR "/.build-id/";
	if (len < 3 || len > 64 || size < sizeof prefix + 3 + 2 * len + sizeof ".debug")
		return false;
	char *p = out;
	memcpy(p, prefix, sizeof prefix - 1);
	p += sizeof prefix - 1;
	for (size_t i = 0; i < len; i++) {
		*p++ = hex[id[i] >> 4];
		*p++ = hex[id[i] & 15];
		if (i == 0)
			*p++ = '/';
	}
	memcpy(p, ".debug", sizeof ".debug");
	return true;
}

bool pi_alt_path(const char *file, const char *altname, char *out, size_t size)
{
	char joined[8192];
	if (!altname || !*altname || size < 2)
		return false;
	if (altname[0] == '/') {
		if ((size_t)snprintf(joined, sizeof joined, "%s", altname) >= sizeof joined)
			return false;
	} else {
		if (!file || file[0] != '/')
			return false;
		int dirlen = (int)(strrchr(file, '/') - file);
		int len = snprintf(joined, sizeof joined, "%.*s/%s", dirlen, file, altname);
		if (len < 0 || (size_t)len >= sizeof joined)
			return false;
	}
	/* Lexically: "." dropped, ".." takes off the last component (never
	 * above the root). Symbolic links are resolved later, inside the
	 * target's root, by the open. */
	size_t used = 0;
	const char *p = joined;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (used > 0 && out[used - 1] != '/')
				used--;
			if (used > 0)
				used--;
		} else {
			if (used + 1 + n + 1 > size)
				return false;
			out[used++] = '/';
			memcpy(out + used, p, n);
			used += n;
		}
		p += n;
	}
	out[used] = '\0';
	return strncmp(out, PI_DEBUG_DIR "/", sizeof PI_DEBUG_DIR) == 0
	       && out[sizeof PI_DEBUG_DIR] != '\0';
}

uint32_t pi_debuglink_crc(uint32_t crc, const void *data, size_t len)
{
	static uint32_t table[256];
	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	const uint8_t *p = data;
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
