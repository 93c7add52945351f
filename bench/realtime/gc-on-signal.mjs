// Preloaded into the notifications instances by the real-time benchmark (with --expose-gc):
// SIGUSR2 runs a full garbage collection, so memory per idle socket is measured on live data
// rather than on whatever garbage the sockets' set-up left behind.
process.on('SIGUSR2', () => globalThis.gc?.());
