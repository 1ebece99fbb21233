// A Go program with goroutines parked in known places: one on a channel
// receive, one on a sync.Mutex held by main, one asleep, and its OS
// threads idle in the runtime. Prints "ready" once they are parked, then
// waits until killed.
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

func main() {
	runtime.GOMAXPROCS(2)
	c := make(chan int)
	var m sync.Mutex
	m.Lock()
	go waitOnChannel(c)
	go waitOnMutex(&m)
	go sleepLong()
	time.Sleep(300 * time.Millisecond)
	fmt.Println("ready")
	select {}
}
