// A Java program with a thread named "sleeper" asleep in Thread.sleep,
// called from a method of its own; prints "ready" once it sleeps.
public class Sleeper {
    static void sleepHere() throws InterruptedException {
        Thread.sleep(3_600_000L);
    }

    public static void main(String[] args) throws Exception {
        Thread t = new Thread(() -> {
            try {
                sleepHere();
            } catch (InterruptedException e) {
            }
        }, "sleeper");
        t.start();
        while (t.getState() != Thread.State.TIMED_WAITING)
            Thread.sleep(10);
        System.out.println("ready");
        t.join();
    }
}
