/* settings — the user's pinspect file, $XDG_CONFIG_HOME/pinspect/pinspectrc
 * (~/.config/pinspect/pinspectrc when that is unset): what the live view
 * reads at start and its column chooser saves. Lines of key=value; '#'
 * begins a comment. One key so far: columns=pid,state,... (as -o takes
 * them).
 *
 * pinspect runs as root, often through sudo, whose HOME or
 * XDG_CONFIG_HOME may still name the invoking user's directory: a file
 * or directory not owned by the effective user, or writable by others,
 * is neither read nor written (a one-line warning says so), and the final
 * path is never followed through a symlink. Saving writes a temporary
 * file (0600) beside it, then renames it into place. */
#ifndef PI_SETTINGS_H
#define PI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "table/view.h"
#include "util/buf.h"

/* A file bigger than this is not a pinspect file, and a line longer
 * than this is not one of its lines. */
enum { PI_SETTINGS_MAX_BYTES = 64 * 1024, PI_SETTINGS_MAX_LINE = 4096 };

struct pi_settings {
	bool have_columns;
	struct pi_column_set columns;
};

/* Parses the file's text (pure; data need not end in a NUL). Returns 0;
 * 1 when it was read but something was ignored (an unknown key: later
 * versions may add keys), said in why; -1 when it is malformed (a NUL
 * byte, a line without '=', one too long, an unknown column), said in
 * why with its line number, and out is left empty. */
int pi_settings_parse(const char *data, size_t len, struct pi_settings *out, struct pi_buf *why);

/* The file's path (the environment's, or the user's home directory's),
 * or -1 when neither says where home is. */
int pi_settings_path(struct pi_buf *out);

/* Reads the file. Returns 0 (also when there is none: out is empty), 1
 * when read with something ignored, -1 when it cannot be used; why says
 * what, in one line, for the last two. */
int pi_settings_load(struct pi_settings *out, struct pi_buf *why);

/* Writes the columns chosen. Returns 0 (path says where), or -1 with the
 * reason in why. */
int pi_settings_save(const struct pi_column_set *columns, struct pi_buf *path, struct pi_buf *why);

#endif
