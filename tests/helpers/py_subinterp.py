# A CPython program with a subinterpreter (_xxsubinterpreters in 3.11 and
# 3.12, _interpreters in 3.13), for tests/cli/python.sh: the main thread ran code in it (so it
# has a thread state there too) and now sleeps in main(); a thread the
# subinterpreter started sleeps in sub_sleeper(). From 3.12 the
# subinterpreter is isolated: a GIL of its own. With --busy, both
# threads spin instead of sleeping: each holds its interpreter's GIL
# (from 3.12 both at once). Prints "sub TID", "main TID", then "ready". Lines the test expects are marked "# @NAME"
# (sub_sleeper's line is counted in the code string, from its start).
import os
import sys
import threading
import time

try:
    import _interpreters as interpreters
except ImportError:
    import _xxsubinterpreters as interpreters

SUB_CODE = """import os, threading, time
def sub_sleeper():
    os.write(%d, b"%%d\\n" %% threading.get_native_id())
    time.sleep(3600)
def sub_busy():
    os.write(%d, b"%%d\\n" %% threading.get_native_id())
    while True:
        pass
threading.Thread(target=%s).start()
"""


def main():
    r, w = os.pipe()
    # 3.11 allows threads only in a subinterpreter that is not isolated.
    own_gil = sys.version_info >= (3, 12)
    if sys.version_info >= (3, 13):
        interp = interpreters.create("isolated")
    else:
        interp = interpreters.create(isolated=own_gil)
    busy = "--busy" in sys.argv
    interpreters.run_string(interp, SUB_CODE % (w, w, "sub_busy" if busy else "sub_sleeper"))
    sub = os.read(r, 64).decode().strip()
    print("sub", sub)
    print("main", threading.get_native_id())
    print("ready", flush=True)
    while busy:
        pass
    time.sleep(3600)  # @main


main()  # @module
