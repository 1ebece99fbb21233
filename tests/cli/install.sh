#!/bin/bash
# Packaging: make install DESTDIR=... puts the program, the man page and
# the three shell completions where each belongs (bash's where
# pkg-config's bash-completion says), each works from there, and make
# uninstall takes them all away again.
. "$(dirname "$0")/lib.sh"

dest=$TEST_TMP/dest
: "${PI_MAKE:=make}"
${PI_MAKE} -s -C "$abs_top_builddir" install DESTDIR="$dest" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
STATUS=$?
status_is "make install DESTDIR=... succeeds" 0

check "the program is in bindir ($PI_BINDIR)" test -x "$dest$PI_BINDIR/pinspect"
"$dest$PI_BINDIR/pinspect" --version >"$TEST_TMP/out" 2>&1
out_has "the installed program runs" '^pinspect [0-9]+\.[0-9]+'
check "the man page is in mandir/man1 ($PI_MANDIR)" test -r "$dest$PI_MANDIR/man1/pinspect.1"
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$dest$PI_MANDIR/man1/pinspect.1" >"$TEST_TMP/out" 2>/dev/null
	out_has "man reads the installed page" '^HEALTH CHECKS$'
else
	skip "man reads the installed page" "man-db is not installed"
fi

# bash-completion looks a command up by its name, in the directory its
# pkg-config file names, taken relative to the prefix pinspect installs
# in (with --prefix=/usr, exactly that directory; under /usr/local,
# bash-completion looks too, through XDG_DATA_DIRS).
want=$(pkg-config --define-variable=prefix="$PI_PREFIX" --define-variable=datadir="$PI_PREFIX/share" \
	--variable=completionsdir bash-completion 2>/dev/null)
if [ -n "$want" ]; then
	check "bash completion goes where pkg-config's bash-completion says, under the prefix ($want)" \
		test "$PI_BASHCOMPDIR" = "$want"
else
	skip "bash completion goes where pkg-config says" "bash-completion's pkg-config file is missing"
fi
check "bash completion installed as $PI_BASHCOMPDIR/pinspect" test -r "$dest$PI_BASHCOMPDIR/pinspect"
check "the installed bash completion loads and completes" bash -c "
	. /usr/share/bash-completion/bash_completion
	. '$dest$PI_BASHCOMPDIR/pinspect'
	COMP_WORDS=(pinspect --chec); COMP_CWORD=1; COMP_LINE='pinspect --chec'; COMP_POINT=\${#COMP_LINE}
	_pinspect pinspect --chec pinspect
	[ \"\${COMPREPLY[*]}\" = --check ]"
check "zsh completion installed as $PI_ZSHCOMPDIR/_pinspect" test -r "$dest$PI_ZSHCOMPDIR/_pinspect"
check "fish completion installed as $PI_FISHCOMPDIR/pinspect.fish" test -r "$dest$PI_FISHCOMPDIR/pinspect.fish"
if command -v fish >/dev/null; then
	fish -c "source '$dest$PI_FISHCOMPDIR/pinspect.fish'; complete -C 'pinspect --zom'" >"$TEST_TMP/out"
	out_has "the installed fish completion completes" '^--zombies	'
else
	skip "the installed fish completion completes" "fish is not installed"
fi

${PI_MAKE} -s -C "$abs_top_builddir" uninstall DESTDIR="$dest" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
STATUS=$?
status_is "make uninstall DESTDIR=... succeeds" 0
left=$(find "$dest" -type f 2>/dev/null)
check "make uninstall leaves no file behind" test -z "$left"

done_testing
