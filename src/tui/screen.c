#include "tui/screen.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

/* What a crash needs to give the terminal back without ncurses (whose
 * functions are not safe in a signal handler): the terminal's settings
 * from before, and the bytes that leave the alternate screen and show
 * the cursor again. */
static struct termios saved_termios;
static bool have_termios;
static char leave_bytes[128];
static size_t leave_len;
static struct pi_screen *open_screen;

static volatile sig_atomic_t leave_signal;
static int wake_pipe[2] = { -1, -1 };

enum { PAIR_HUNG = 1, PAIR_D, PAIR_ZOMBIE, PAIR_STOPPED, PAIR_TRACED };

static void on_leave_signal(int sig)
{
	int saved = errno;
	leave_signal = sig;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], "", 1) < 0) {
		/* The pipe is full: a wake-up is pending anyway. */
	}
	errno = saved;
}

static void on_crash(int sig)
{
	if (have_termios)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	if (leave_len && write(STDOUT_FILENO, leave_bytes, leave_len) < 0) {
		/* Nothing more can be done from here. */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* exit() from anywhere (out of memory, say) must not leave the terminal
 * in raw mode on the alternate screen. */
static void at_exit(void)
{
	if (open_screen)
		pi_screen_close(open_screen);
}

static void remember_leave_bytes(void)
{
	const char *caps[] = { "rmcup", "cnorm", "sgr0" };
	leave_len = 0;
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		const char *s = tigetstr(caps[i]);
		if (!s || s == (char *)-1)
			continue;
		size_t n = strlen(s);
		if (leave_len + n < sizeof leave_bytes) {
			memcpy(leave_bytes + leave_len, s, n);
			leave_len += n;
		}
	}
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the wait must return to notice. */
	sa.sa_handler = on_leave_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static void restore_signals(void)
{
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
}

static void setup_colours(struct pi_screen *s)
{
	const char *no_colour = getenv("NO_COLOR");
	s->colour = has_colors() && !(no_colour && no_colour[0]);
	if (!s->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_HUNG, COLOR_RED, -1);
	init_pair(PAIR_D, COLOR_YELLOW, -1);
	init_pair(PAIR_ZOMBIE, COLOR_MAGENTA, -1);
	init_pair(PAIR_STOPPED, COLOR_CYAN, -1);
	init_pair(PAIR_TRACED, COLOR_BLUE, -1);
}

int pi_screen_open(struct pi_screen *s)
{
	static bool registered;

	memset(s, 0, sizeof *s);
	if (tcgetattr(STDIN_FILENO, &saved_termios) == 0)
		have_termios = true;
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return -errno;
	install_signals();
	/* The user's character set, so that ncurses writes UTF-8 where the
	 * terminal takes it (names, the tree's lines); only LC_CTYPE, and
	 * given back on close. */
	setlocale(LC_CTYPE, "");
	const char *codeset = nl_langinfo(CODESET);
	s->utf8 = codeset && !strcmp(codeset, "UTF-8");
	const char *term = getenv("TERM");
	s->scr = newterm(NULL, stdout, stdin);
	if (!s->scr) {
		restore_signals();
		for (int i = 0; i < 2; i++) {
			close(wake_pipe[i]);
			wake_pipe[i] = -1;
		}
		setlocale(LC_CTYPE, "C");
		fprintf(stderr, "pinspect: the terminal type '%s' (TERM) is not known to ncurses; "
			"set TERM (e.g. TERM=xterm), or use --batch\n", term ? term : "");
		return -ENOTTY;
	}
	set_term(s->scr);
	open_screen = s;
	if (!registered) {
		atexit(at_exit);
		registered = true;
	}
	remember_leave_bytes();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* Esc returns from the snapshot at once, not after a second. */
	set_escdelay(25);
	setup_colours(s);
	/* Lines for the tree where the terminal has them; ASCII otherwise. */
	const char *acs = tigetstr("acsc");
	s->line_chars = acs && acs != (char *)-1 && acs[0];
	/* Clicks at once, not held back to tell them from double clicks. */
	mouseinterval(0);
	s->mouse = mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
			     NULL) != 0;
	pi_screen_size(s);
	return 0;
}

void pi_screen_close(struct pi_screen *s)
{
	if (!s->scr)
		return;
	/* A terminal without an alternate screen keeps what was drawn: at
	 * least leave the last line, where the shell prompt goes, empty. */
	move(LINES - 1, 0);
	clrtoeol();
	refresh();
	endwin();
	delscreen(s->scr);
	s->scr = NULL;
	open_screen = NULL;
	restore_signals();
	setlocale(LC_CTYPE, "C");
	for (int i = 0; i < 2; i++) {
		if (wake_pipe[i] >= 0)
			close(wake_pipe[i]);
		wake_pipe[i] = -1;
	}
	fflush(stdout);
}

attr_t pi_screen_attr(const struct pi_screen *s, enum pi_style style)
{
	switch (style) {
	case PI_STYLE_HUNG:
		return A_BOLD | (s->colour ? COLOR_PAIR(PAIR_HUNG) : A_UNDERLINE);
	case PI_STYLE_D:
		return s->colour ? COLOR_PAIR(PAIR_D) | A_BOLD : A_BOLD;
	case PI_STYLE_ZOMBIE:
	case PI_STYLE_ZOMBIE_PARENT:
		return s->colour ? COLOR_PAIR(PAIR_ZOMBIE) | A_BOLD : A_BOLD;
	case PI_STYLE_STOPPED:
		return s->colour ? COLOR_PAIR(PAIR_STOPPED) | A_BOLD : A_BOLD;
	case PI_STYLE_TRACED:
		return s->colour ? COLOR_PAIR(PAIR_TRACED) | A_BOLD : A_BOLD;
	case PI_STYLE_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

attr_t pi_screen_bar(const struct pi_screen *s)
{
	(void)s;
	return A_REVERSE;
}

enum pi_wait pi_screen_wait(struct pi_screen *s, int timeout_ms)
{
	(void)s;
	struct pollfd fds[2] = {
		{ STDIN_FILENO, POLLIN, 0 },
		{ wake_pipe[0], POLLIN, 0 },
	};
	if (leave_signal)
		return PI_WAIT_SIGNAL;
	int n = poll(fds, 2, timeout_ms);
	if (leave_signal)
		return PI_WAIT_SIGNAL;
	if (n < 0)
		return PI_WAIT_INPUT;	/* EINTR: SIGWINCH, which getch reports as KEY_RESIZE */
	if (n == 0)
		return PI_WAIT_TIMEOUT;
	/* A terminal that went away (the ssh session closed) is as good as
	 * SIGHUP. */
	if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
		leave_signal = SIGHUP;
		return PI_WAIT_SIGNAL;
	}
	return PI_WAIT_INPUT;
}

int pi_screen_signal(void)
{
	return leave_signal;
}

void pi_screen_size(struct pi_screen *s)
{
	getmaxyx(stdscr, s->rows, s->cols);
}
