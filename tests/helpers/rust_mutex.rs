// A Rust program blocked in a Mutex: the main thread holds a
// std::sync::Mutex, and a thread named "waiter" waits for it in
// lock_contended. Generic functions (Holder<u32>::wait_for) show generic
// arguments in the demangled names. Prints "ready" once the waiter is
// (nearly certainly) blocked, then sleeps until killed.
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

struct Holder<T> {
    value: T,
}

impl<T: Copy + std::fmt::Debug> Holder<T> {
    #[inline(never)]
    fn wait_for(&self, m: &Mutex<u64>) -> u64 {
        let g = m.lock().unwrap();
        std::hint::black_box(self.value);
        *g
    }
}

fn main() {
    let m = Arc::new(Mutex::new(7u64));
    let guard = m.lock().unwrap();
    let m2 = Arc::clone(&m);
    let t = thread::Builder::new()
        .name("waiter".into())
        .spawn(move || {
            let h = Holder { value: 5u32 };
            h.wait_for(&m2)
        })
        .unwrap();
    thread::sleep(Duration::from_millis(200));
    println!("ready");
    loop {
        thread::sleep(Duration::from_secs(3600));
        std::hint::black_box(&guard);
        if t.is_finished() {
            break;
        }
    }
}
