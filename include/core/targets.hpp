// Backend tags. They live in core/ so that lowering rules and plans can be keyed on the
// target without including any backend (arrows point down the room list only).
#pragma once

namespace coil {

// The unfused, double-accumulating interpreter: the oracle every test compares against.
struct reference {
  static constexpr const char* name = "reference";
};

// Scalar CPU loops generated from the plan (the xsimd emitter refines this tag later).
struct cpu {
  static constexpr const char* name = "cpu";
};

// CUDA kernels instantiated by nvcc from the same plan.
struct cuda {
  static constexpr const char* name = "cuda";
};

} // namespace coil
