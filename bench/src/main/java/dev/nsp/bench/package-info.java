/**
 * JMH benchmarks of the kernel backends (backend name as a {@code @Param}: reference, vector, and any
 * backend added later), and of the machine's roofline (memory bandwidth, FMA peak) so results can be
 * stated as ratios. Build with {@code mvn -pl bench -am package -DskipTests}, run
 * {@code java -jar bench/target/benchmarks.jar}; see docs/benchmarks.md.
 */
package dev.nsp.bench;
