// A user-defined op with no lowering rule for the target is a compile error naming the
// op. The ok variant gives the op a rule for coil::cpu and compiles the same expression.
// A custom kernel that declares `cuda = true` on a host target is one too.
// COIL_FAIL_CASE: NO_RULE coil::compile_error<coil::fixed_string<[0-9]+>{.coil: no lowering for ..my_op..: specialize coil::lower_impl<\.\.\.> or register a kernel \(docs/extending.md\).}>
// COIL_FAIL_CASE: NO_RULE_FOR_TARGET coil: no lowering for ..my_op..: specialize coil::lower_impl
// COIL_FAIL_CASE: UNNAMED_OP coil: no lowering for ..<unnamed op>..
// COIL_FAIL_CASE: CUDA_CUSTOM_ON_HOST coil: a custom kernel that declares .cuda = true. runs on coil::cuda only
#include <coil.hpp>

using namespace coil::literals;

// An elementwise user op: same shape and dtype as its input.
struct my_op {
  static constexpr const char* name = "my_op";
  static constexpr coil::infer_result infer(const coil::node_record* in, int) {
    coil::infer_result r;
    r.rec.kind = coil::op_kind::pointwise;
    r.rec.type = r.rec.compute = in[0].type;
    r.rec.shp = in[0].shp;
    return r;
  }
};

// The same without a name.
struct anonymous_op {
  static constexpr coil::infer_result infer(const coil::node_record* in, int n) { return my_op::infer(in, n); }
};

#if !defined(COIL_FAIL_NO_RULE)
// my_op(x) = x * 2 on the CPU (and only there).
template <> struct coil::lower_impl<my_op, coil::cpu> {
  template <class X> using apply = decltype(X{} * 2_c);
};
#endif
#if !defined(COIL_FAIL_UNNAMED_OP)
template <> struct coil::lower_impl<anonymous_op, coil::cpu> {
  template <class X> using apply = decltype(X{} + X{});
};
#endif

// A custom kernel for coil::cuda (its run launches on a stream; never called here).
struct device_kernel {
  static constexpr const char* name = "device_kernel";
  static constexpr bool cuda = true;
  static constexpr coil::infer_result infer(const coil::node_record* in, int n) { return my_op::infer(in, n); }
  template <class Out, class In> static void run(void*, Out, In) {}
};

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 4_c);
constexpr auto on_device = coil::custom<device_kernel>(x);
static_assert(coil::record_of<decltype(on_device)>.cuda_kernel);
constexpr auto mine = coil::exp(coil::make_node<my_op>(x));
constexpr auto anon = coil::make_node<anonymous_op>(x);

#if defined(COIL_FAIL_NO_RULE)
using bad_model = decltype(coil::compile<coil::cpu>(mine));
#elif defined(COIL_FAIL_NO_RULE_FOR_TARGET)
using bad_model = decltype(coil::compile<coil::reference>(mine)); // the rule is for coil::cpu only
#elif defined(COIL_FAIL_UNNAMED_OP)
using bad_model = decltype(coil::compile<coil::cpu>(anon));
#elif defined(COIL_FAIL_CUDA_CUSTOM_ON_HOST)
void host_model() { [[maybe_unused]] auto m = coil::compile<coil::cpu>(on_device); }
#else
using mine_model = decltype(coil::compile<coil::cpu>(mine));
using anon_model = decltype(coil::compile<coil::cpu>(anon));
template <class G> constexpr bool has_op(coil::op_code c) {
  for (const auto& r : G::records)
    if (r.code == c) return true;
  return false;
}
static_assert(has_op<mine_model::graph>(coil::op_code::mul) && has_op<mine_model::graph>(coil::op_code::exp));
static_assert(has_op<anon_model::graph>(coil::op_code::add) && anon_model::graph::size == 2);
#endif

int main() { return 0; }
