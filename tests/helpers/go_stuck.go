// A Go program stuck, or not, as its first argument says, for the
// goroutine findings (analysis/go_stuck.h). Prints "ready" once its
// goroutines are parked (after two garbage collections with "gc": the
// second records since when each waits, as the end of the first), then
// waits until killed.
//
//	mutexes   two goroutines deadlocked on two sync.Mutex taken in
//	          opposite orders, at one lock site, while an HTTP
//	          listener (in IO wait) keeps the program alive: Go's own
//	          "all goroutines are asleep" check cannot fire
//	channels  every goroutine blocked on a channel, none that can send:
//	          only a pending timer keeps the runtime from stopping it
//	healthy   an HTTP server that has served a request, idle workers
//	          waiting for jobs on a channel, two goroutines on a
//	          sync.Cond, main in WaitGroup.Wait, a Ticker ticking
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"
)

//go:noinline
func lockBoth(first, second *sync.Mutex, held *sync.WaitGroup) {
	first.Lock()
	held.Done()
	held.Wait()
	second.Lock()
}

//go:noinline
func worker(jobs chan int, done chan bool) {
	for j := range jobs {
		_ = j
	}
	done <- true
}

//go:noinline
func waitOnCond(c *sync.Cond, ready *bool) {
	c.L.Lock()
	for !*ready {
		c.Wait()
	}
	c.L.Unlock()
}

func listen() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	go http.Serve(ln, nil)
	return ln
}

// collect runs two garbage collections when asked ("gc"): the runtime
// sets a waiting goroutine's waitsince, as the time the previous one
// ended, only from the second on.
func collect() {
	if len(os.Args) > 2 && os.Args[2] == "gc" {
		runtime.GC()
		runtime.GC()
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: go_stuck mutexes|channels|healthy [gc]")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)
	var block chan bool
	switch os.Args[1] {
	case "mutexes":
		listen()
		var a, b sync.Mutex
		var held sync.WaitGroup
		held.Add(2)
		go lockBoth(&a, &b, &held)
		go lockBoth(&b, &a, &held)
	case "channels":
		jobs := make(chan int)
		done := make(chan bool)
		for i := 0; i < 3; i++ {
			go worker(jobs, done)
		}
		time.AfterFunc(time.Hour, func() {})
		block = done
	case "healthy":
		ln := listen()
		jobs := make(chan int)
		done := make(chan bool)
		for i := 0; i < 3; i++ {
			go worker(jobs, done)
		}
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		ready := false
		go waitOnCond(cond, &ready)
		go waitOnCond(cond, &ready)
		ticker := time.NewTicker(100 * time.Millisecond)
		go func() {
			for range ticker.C {
				mu.Lock()
				mu.Unlock()
			}
		}()
		if resp, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
			resp.Body.Close()
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			time.Sleep(300 * time.Millisecond)
			collect()
			fmt.Println("ready")
		}()
		wg.Wait()
		return
	default:
		fmt.Println("unknown mode", os.Args[1])
		os.Exit(2)
	}
	time.Sleep(300 * time.Millisecond)
	collect()
	fmt.Println("ready")
	if block != nil {
		<-block
	}
	select {}
}
