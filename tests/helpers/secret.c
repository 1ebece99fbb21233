/* libpi-secret.so: stands for a file of the host that only root may read
 * (tests/cli/container_files.sh), with names of its own all over its
 * code, so that a stack resolved against it would show them. */
#define SECRET(n) \
	void pi_host_secret_##n(void); \
	void pi_host_secret_##n(void) { __asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop"); }
SECRET(0) SECRET(1) SECRET(2) SECRET(3) SECRET(4) SECRET(5) SECRET(6) SECRET(7)
SECRET(8) SECRET(9) SECRET(10) SECRET(11) SECRET(12) SECRET(13) SECRET(14) SECRET(15)
SECRET(16) SECRET(17) SECRET(18) SECRET(19) SECRET(20) SECRET(21) SECRET(22) SECRET(23)
SECRET(24) SECRET(25) SECRET(26) SECRET(27) SECRET(28) SECRET(29) SECRET(30) SECRET(31)
