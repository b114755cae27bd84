/** JMH benchmarks of the kernel backends and the machine's roofline (bandwidth, FMA peak). */
package dev.nsp.bench;
