#!/usr/bin/env bash
# bfloat16 probe (docs/BF16.md): every case of org.ebm4j.probe.Bf16Probe in its own JVM, because
# some abort the process (SIGABRT from native code, exit status 134). One libtorch thread.
#   scripts/bf16-probe.sh            all cases (about two minutes on one core)
#   scripts/bf16-probe.sh CASE ARGS  one case, e.g. scripts/bf16-probe.sh pair 1 64 250 188 15
set -u
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
THREADS=${THREADS:-1}
out=$(mvn -B -o -q -pl ebm4j-core -am test-compile 2>&1) || { echo "$out"; exit 1; }
CPF=$(mktemp)
out=$(mvn -B -o -q -pl ebm4j-core dependency:build-classpath -Dmdep.outputFile="$CPF" 2>&1) || { echo "$out"; exit 1; }
CP=ebm4j-core/target/test-classes:ebm4j-core/target/classes:$(cat "$CPF")
rm -f "$CPF"
run() {
  echo "### $*"
  java -cp "$CP" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Xmx4g \
    org.ebm4j.probe.Bf16Probe "$@" 2>&1 | grep -v '^\[main\] \(INFO\|WARN\)'
  echo "exit status ${PIPESTATUS[0]}"
}
if [ $# -gt 0 ]; then run "$@"; exit; fi
run cast                          # (a) x.toType(BFLOAT16): aborts
run zeros                         #     manager.zeros(shape, BFLOAT16): aborts
run fp16-cast                     #     control: FLOAT16 works
run totype-grad                   #     DJL's toType is not differentiable
run ts-cast                       # (a') bf16 through a TorchScript cast module
run unknown-zeros                 #     zeros(shape, bf16Array.getDataType()): UNKNOWN aborts as well
run ts-mixed                      # (c) bf16 input, fp32 weight
run ts-mixed-bias                 # (c) bf16 input and weight, fp32 bias
run ts-conv 2 16 12 10 nobias     # (b)(d)(e) forward + input gradient, no bias
run ts-conv 2 16 12 10 bias       #           with bias
run ts-conv 1 64 250 188 nobias   # (f) patch workload size
run ts-conv 32 64 32 32 bias      # (f) 32-px batch 32
run ts-narrow 1 64 60 50 1        #     64 -> 1 conv (narrow: SpectralConv2d widens these in fp32)
run ts-narrow 1 64 60 50 3        #     64 -> 3
run pair 1 64 250 188 15          # timing, fp32 vs bf16 vs bf16 channels-last, interleaved
run pair 32 64 32 32 15
run stack 1 64 250 188 8 4        # 4 conv+ELU layers: casts around each conv vs bf16 kept between layers
run stack 32 64 32 32 8 4
run time fp16 1 64 250 188 10     # fp16 (cast through TorchScript as well), separate JVM
run time fp32 1 64 250 188 10
