# Sourced by the docs/scripts that run ebm4j jobs: E = the launcher (EBM4J, default ./ebm4j of this
# checkout; it rebuilds with mvn install when sources changed), and one libtorch thread per job
# unless the caller set otherwise (two multi-threaded libtorch pools on 2 cores run ~10x slower).
E=${EBM4J:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/ebm4j"}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export EBM4J_JAVA_OPTS=${EBM4J_JAVA_OPTS:-"-Xmx6g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"}
