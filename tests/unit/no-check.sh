#!/bin/sh
# configure did not find Check (Debian: apt-get install check): the unit
# tests cannot be built. Fail loudly rather than skip: a green run without
# the unit tests would be a lie.
echo "Bail out! the unit tests need Check: apt-get install check, then ./configure again"
exit 99
