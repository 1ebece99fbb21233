# Threads of a CPython program in known places, for tests/cli/python.sh:
# one asleep in time.sleep, one blocked on a lock, one asleep at the
# bottom of a recursion 40 calls deep, one busy (it holds the GIL), and
# the main thread asleep. Prints "NAME TID" for each, then "ready".
# The lines the test expects are marked "# @NAME".
#
# With --fake-version, it first overwrites its own Py_Version with that
# of a Python pinspect does not know (3.99), as a hostile or future
# interpreter would look.
import ctypes
import sys
import threading
import time

lock = threading.Lock()
lock.acquire()
tids = {}
started = threading.Semaphore(0)


def fake_version():
    libc = ctypes.CDLL(None)
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    version = ctypes.c_uint32.in_dll(ctypes.pythonapi, "Py_Version")
    page = ctypes.addressof(version) & ~4095
    if libc.mprotect(page, 4096, 3) != 0:  # PROT_READ | PROT_WRITE
        sys.exit("mprotect failed")
    version.value = 0x036300F0
    libc.mprotect(page, 4096, 1)


def sleeper():
    tids["sleeper"] = threading.get_native_id()
    started.release()
    time.sleep(3600)  # @sleeper


def waiter():
    tids["waiter"] = threading.get_native_id()
    started.release()
    lock.acquire()  # @waiter


def recurse(n):
    if n == 0:
        tids["deep"] = threading.get_native_id()
        started.release()
        time.sleep(3600)  # @deep
    recurse(n - 1)  # @recurse


def busy():
    tids["busy"] = threading.get_native_id()
    started.release()
    x = 0
    while True:  # @busy_loop
        x += 1  # @busy_body


def main():
    if "--fake-version" in sys.argv:
        fake_version()
    for target, args in ((sleeper, ()), (waiter, ()), (recurse, (40,)), (busy, ())):
        threading.Thread(target=target, args=args, daemon=True).start()
    for _ in range(4):
        started.acquire()
    for name, tid in sorted(tids.items()):
        print(name, tid)
    print("main", threading.get_native_id())
    print("ready", flush=True)
    time.sleep(3600)  # @main


main()  # @module
