// Input for the loader tests: a static-pie whose layout they check.
int main(void) { return 0; }
