// A Go program with goroutines parked in known places: five on the same
// channel receive (one stack), one on a sync.Mutex held by main, one
// asleep, one asleep in napInlined (which the compiler inlines), two
// deadlocked on two mutexes taken in opposite orders; main in a select
// with no cases. Prints "ready" once they are parked, then waits.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

//go:noinline
func waitOnChannel(c chan int) int {
	return <-c
}

//go:noinline
func waitOnMutex(m *sync.Mutex) {
	m.Lock()
	m.Unlock()
}

//go:noinline
func sleepLong() {
	time.Sleep(time.Hour)
}

//go:noinline
func lockBoth(first, second *sync.Mutex, held *sync.WaitGroup) {
	first.Lock()
	held.Done()
	held.Wait()
	second.Lock()
}

func main() {
	runtime.GOMAXPROCS(2)
	c := make(chan int)
	var m sync.Mutex
	m.Lock()
	for i := 0; i < 5; i++ {
		go waitOnChannel(c)
	}
	go waitOnMutex(&m)
	go sleepLong()
	go napper()
	var a, b sync.Mutex
	var held sync.WaitGroup
	held.Add(2)
	go lockBoth(&a, &b, &held)
	go lockBoth(&b, &a, &held)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("ready")
	select {}
}

// napInlined is small enough for the compiler to inline into napper
// (go build -gcflags=-m says "inlining call to napInlined").
func napInlined(d time.Duration) {
	time.Sleep(d)
}

//go:noinline
func napper() {
	napInlined(time.Hour)
}
