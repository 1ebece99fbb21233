// pi-cxx [deadlock]: a C++ thread blocked inside a member function of a
// class in a namespace, a template and a lambda, for the demangling tests;
// or, with "deadlock", two threads ("t1", "t2") in a std::mutex cycle over
// the named globals pi::lock_a and pi::lock_b. Prints "ready" once in place.
#include <unistd.h>

#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace pi {

static int pipe_fd[2];
static std::atomic<bool> in_place{false};

template <typename T> struct Box {
	__attribute__((noinline)) T wait_inside(T v)
	{
		in_place = true;
		char c;
		while (::read(pipe_fd[0], &c, 1) < 0 && errno == EINTR)
			;
		asm volatile("" ::: "memory");
		return v;
	}
};

class Worker {
public:
	__attribute__((noinline)) int run(int depth)
	{
		Box<long> box;
		auto step = [&](int d) __attribute__((noinline)) { return box.wait_inside(d); };
		int r = (int)step(depth);
		asm volatile("" ::: "memory");
		return r;
	}
};

std::mutex lock_a, lock_b;
static std::atomic<int> holding{0};

static void cycle_member(const char *name, std::mutex &first, std::mutex &second)
{
	pthread_setname_np(pthread_self(), name);
	std::lock_guard<std::mutex> hold(first);
	holding++;
	while (holding < 2)
		usleep(1000);
	in_place = true;
	std::lock_guard<std::mutex> want(second);
}

} // namespace pi

int main(int argc, char **argv)
{
	if (argc > 1 && std::strcmp(argv[1], "deadlock") == 0) {
		std::thread t1(pi::cycle_member, "t1", std::ref(pi::lock_a), std::ref(pi::lock_b));
		std::thread t2(pi::cycle_member, "t2", std::ref(pi::lock_b), std::ref(pi::lock_a));
		while (!pi::in_place)
			usleep(1000);
		usleep(100000);
		std::fputs("ready\n", stdout);
		std::fflush(stdout);
		t1.join();
		t2.join();
		return 0;
	}
	if (pipe(pi::pipe_fd) != 0)
		return 1;
	std::thread t([] {
		pi::Worker w;
		w.run(3);
	});
	while (!pi::in_place)
		usleep(1000);
	usleep(20000);
	std::fputs("ready\n", stdout);
	std::fflush(stdout);
	t.join();
}
