/* debugpaths — where a module's separate debug files may be, as paths
 * inside the target's root. Pure: the names come from the module's own
 * ELF and DWARF (.gnu_debuglink, the build-id, .gnu_debugaltlink), so
 * they are hostile, and only the debug directories are ever named:
 *
 *   DIR/NAME, DIR/.debug/NAME, /usr/lib/debug/DIR/NAME  (a debug link,
 *        beside the file at DIR/FILE; NAME a plain file name)
 *   /usr/lib/debug/.build-id/xx/yyyy.debug             (a build-id)
 *   under /usr/lib/debug/                               (a dwz alt file)
 *
 * The paths are then opened with proc/target_open, inside the root. */
#ifndef PI_UNWIND_DEBUGPATHS_H
#define PI_UNWIND_DEBUGPATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PI_DEBUG_DIR "/usr/lib/debug"

/* Is name, from .gnu_debuglink, a plain file name: not empty, no '/', not
 * "." or "..", at most NAME_MAX bytes? */
bool pi_debuglink_name_ok(const char *name);

/* The places a debug link name is looked for, for the module at file (an
 * absolute path): up to n (at most 3) paths, written to out[0..]. Returns
 * how many (0 when file or name is refused). */
size_t pi_debuglink_paths(const char *file, const char *name, char (*out)[4096], size_t n);

/* /usr/lib/debug/.build-id/xx/yyyy.debug for a build-id of 3 to 64 bytes
 * (the bounds elfutils uses). Returns false for another length. */
bool pi_build_id_path(const uint8_t *id, size_t len, char *out, size_t size);

/* The dwz alt file named altname by the debug file at file: altname
 * absolute, or relative to file's directory, with "." and ".." taken
 * lexically, must lie under /usr/lib/debug/. Returns false otherwise. */
bool pi_alt_path(const char *file, const char *altname, char *out, size_t size);

/* May a sandboxed decoder have path opened as a separate debug file of
 * a process whose mapped files are modules[0..n)? Only the paths above
 * are: under /usr/lib/debug/, or a plain file name beside a module or in
 * its .debug/ directory. path must be absolute and lexically plain (no
 * empty, "." or ".." component), since it is the decoder's, and a
 * decoder may have been subverted. */
bool pi_debug_path_allowed(const char *path, const char *const *modules, size_t n);

/* The CRC-32 .gnu_debuglink records, continued over len more bytes
 * (crc starts at 0). */
uint32_t pi_debuglink_crc(uint32_t crc, const void *data, size_t len);

#endif
