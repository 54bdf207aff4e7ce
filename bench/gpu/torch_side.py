"""PyTorch's side of the GPU benchmark (bench/gpu/run): eager and torch.compile on the same
workloads and sizes as bench/gpu/coil_gpu.cu, timed with CUDA events in the same way
(20 warm-up calls, 15 repetitions of 50 calls, median ms per call). One JSON row per line."""
import json
import os
import sys
import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = "cuda"


def wanted(workload):
    """COIL_BENCH_ONLY=<substring>: only the workloads whose name contains it."""
    return os.environ.get("COIL_BENCH_ONLY", "") in workload


def timed(workload, impl, fn, *args):
    if not wanted(workload):
        return
    for _ in range(20):
        fn(*args)
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    ms = []
    for _ in range(15):
        start.record()
        for _ in range(50):
            fn(*args)
        stop.record()
        stop.synchronize()
        ms.append(start.elapsed_time(stop) / 50)
    ms.sort()
    print(json.dumps({"workload": workload, "impl": impl, "median_ms": ms[len(ms) // 2],
                      "min_ms": ms[0], "max_ms": ms[-1], "reps": 15}), flush=True)


def graphed(fn, *args):
    """fn(*args) recorded once into a CUDA graph (after warm-up on a side stream): its
    replay times the kernels without Python's and the guards' time per call."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            fn(*args)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        fn(*args)
    return graph.replay


def both(workload, fn, *args, kernel_time=False):
    if not wanted(workload):
        return
    timed(workload, "torch eager", fn, *args)
    compiled = torch.compile(fn)
    timed(workload, "torch.compile", compiled, *args)
    if kernel_time:  # torch.compile's kernels alone: a call costs ~30 us of host time, near these kernels' time
        try:
            timed(workload, "compile+graph", graphed(compiled, *args))
        except Exception as e:
            print(f"torch.compile graph capture failed: {e}", file=sys.stderr)


g = torch.Generator(device=dev).manual_seed(0)
def rnd(*shape):
    return torch.rand(*shape, device=dev, generator=g) * 2 - 1

x, a, b = rnd(16384, 1024), rnd(1024), rnd(1024)
y = torch.empty_like(x)
timed("copy [16384,1024]", "torch eager", lambda: y.copy_(x))  # the bandwidth roof of W0..W3
both("W0 x*a+b [16384,1024]", lambda x, a, b: x * a + b, x, a, b, kernel_time=True)
both("W1 gelu(x*a+b) [16384,1024]", lambda x, a, b: F.gelu(x * a + b), x, a, b, kernel_time=True)
both("W2 softmax [16384,1024]", lambda x: torch.softmax(x, -1), x, kernel_time=True)
both("sum [16384,1024]", lambda x: x.sum(), x, kernel_time=True)
both("W3 layer_norm [16384,1024]", lambda x, a, b: F.layer_norm(x, (1024,), a, b), x, a, b, kernel_time=True)
xt, tt = rnd(4096, 4096), rnd(4096, 4096)
both("x + t^T [4096,4096]", lambda x, t: x + t.t(), xt, tt, kernel_time=True)
del xt, tt
xs = rnd(64, 128)
both("W2 softmax [64,128]", lambda x: torch.softmax(x, -1), xs, kernel_time=True)
x4, W1, b1, W2, b2 = rnd(512, 768), rnd(768, 3072), rnd(3072), rnd(3072, 768), rnd(768)
both("W4 MLP 512x768x3072", lambda x, W1, b1, W2, b2: F.gelu(x @ W1 + b1) @ W2 + b2, x4, W1, b1, W2, b2)
x6, V1, c1, V2, c2 = rnd(1, 784), rnd(784, 128), rnd(128), rnd(128, 10), rnd(10)
both("W6 MLP 784-128-10 batch 1", lambda x, V1, c1, V2, c2: torch.log_softmax(torch.relu(x @ V1 + c1) @ V2 + c2, -1),
     x6, V1, c1, V2, c2)

# W6 as one CUDA graph: eager ops captured by hand with torch.cuda.graph, and
# torch.compile(mode="reduce-overhead") (Inductor with CUDA graphs).
w6_graph = "W6 MLP 784-128-10 batch 1 (CUDA graph)"
def w6(x, V1, c1, V2, c2):
    return torch.log_softmax(torch.relu(x @ V1 + c1) @ V2 + c2, -1)
try:
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            w6(x6, V1, c1, V2, c2)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        w6(x6, V1, c1, V2, c2)
    timed(w6_graph, "torch eager", graph.replay)
except Exception as e:  # report and go on: the other rows stand
    print(f"torch eager CUDA graph failed: {e}", file=sys.stderr)
try:
    def w6_ro(x, V1, c1, V2, c2):  # its own code object: not torch.compile's cache of `w6`
        return torch.log_softmax(torch.relu(x @ V1 + c1) @ V2 + c2, -1)
    timed(w6_graph, "torch.compile", torch.compile(w6_ro, mode="reduce-overhead"), x6, V1, c1, V2, c2)
except Exception as e:
    print(f"torch.compile reduce-overhead failed: {e}", file=sys.stderr)
xc, wc = rnd(32, 16, 64, 64), rnd(32, 16, 3, 3)
both("conv2d 3x3 [32,16,64,64] -> 32", lambda x, w: F.conv2d(x, w, padding=1), xc, wc)
