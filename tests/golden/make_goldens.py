# Golden outputs of coil's composite ops from PyTorch, float64 math on float32 inputs.
# Run where torch is: python3 make_goldens.py OUTDIR (an existing folder). Writes OUTDIR/goldens.bin,
# every tensor raw little-endian one after the other (inputs float32 or bool as uint8, outputs
# float64), and OUTDIR/manifest.txt, a line per tensor: case role name dtype shape byte-offset
# (role: in or out; shape: dims joined by 'x', '-' if 0-d).
# Inputs are seeded by the case name and include edge values (-inf rows, NaN, +-inf, large).
# The committed goldens came from torch 2.11.0+cu130 on the device machine, which received this
# file as ast.unparse(this file), raw-deflated and base85-encoded inside the command line (the
# device copies another checkout, not this worktree); comments do not change that text.
import sys, torch
import torch.nn.functional as F
O = sys.argv[1]; M = []; B = bytearray()
inf = float('inf'); nan = float('nan')
def rnd(seed, *shape, s=1.0):
    return (torch.randn(*shape, generator=torch.Generator().manual_seed(sum(map(ord, seed)))) * s).float()
def case(name, fn, **ins):
    r = fn(*[t.double() if t.is_floating_point() else t for t in ins.values()])
    for role, k, t in [('in', k, t) for k, t in ins.items()] + [('out', str(i), o) for i, o in enumerate(r if type(r) is tuple else (r,))]:
        d = {torch.float32: 'f32', torch.float64: 'f64', torch.bool: 'b8'}[t.dtype]
        M.append(f"{name} {role} {k} {d} {'x'.join(map(str, t.shape)) or '-'} {len(B)}")
        B.extend(t.contiguous().to(torch.uint8 if d == 'b8' else t.dtype).numpy().tobytes())
x = rnd('sm', 5, 16, s=3); x[1] = -inf; x[2, 0] = nan; x[3] = x[3] * 1e3 + 3e4  # edge rows
case('softmax_last', lambda x: F.softmax(x, -1), x=x)
case('softmax_dim1', lambda x: F.softmax(x, 1), x=rnd('sm1', 3, 4, 5, s=5))
case('log_softmax_last', lambda x: F.log_softmax(x, -1), x=x)
case('log_softmax_dim0', lambda x: F.log_softmax(x, -2), x=rnd('ls0', 6, 3, s=5))
x = x.clone(); x[4, 3] = inf
case('logsumexp_last', lambda x: torch.logsumexp(x, -1), x=x)
case('logsumexp_keepdim', lambda x: torch.logsumexp(x, (0, 2), keepdim=True), x=rnd('lk', 2, 3, 4, s=20))
x = rnd('ln', 4, 3, 16, s=2); x[1, 2] = x[1, 2] * 1e-2 + 1e4
case('layer_norm', lambda x, w, b: F.layer_norm(x, (16,), w, b, 1e-5), x=x, w=rnd('lw', 16), b=rnd('lb', 16))
case('layer_norm_2d', lambda x: F.layer_norm(x, (3, 16), eps=1e-3), x=x)
case('rms_norm', lambda x, w: F.rms_norm(x, (32,), w), x=rnd('rn', 4, 32, s=3), w=rnd('rw', 32))
case('rms_norm_eps', lambda x: F.rms_norm(x, (8,), eps=1e-6), x=rnd('re', 2, 3, 8))
m, v = rnd('bm', 4), rnd('bv', 4).abs() + 0.1
case('batch_norm', lambda x, m, v, w, b: F.batch_norm(x, m, v, w, b, eps=1e-5), x=rnd('bn', 3, 4, 5, 2, s=2), m=m, v=v, w=rnd('bw', 4), b=rnd('bb', 4))
case('group_norm', lambda x, w, b: F.group_norm(x, 3, w, b), x=rnd('gn', 2, 6, 5, s=3), w=rnd('gw', 6), b=rnd('gb', 6))
x = rnd('var', 4, 9, s=3); x[2] += 1e3
case('var_last', lambda x: torch.var(x, -1), x=x)
case('var_dim0_keepdim', lambda x: torch.var(x, 0, correction=0, keepdim=True), x=x)
case('std_all', torch.std, x=x)
x = torch.cat([rnd('act', 48, s=4), torch.tensor([nan, inf, -inf, 0, -3, 3, 25, -25, 1e4, -1e4, 9.5, 10.5, 1e-7])]).float()
for n, f in dict(gelu=F.gelu, gelu_tanh=lambda x: F.gelu(x, approximate='tanh'), silu=F.silu,
                 softplus=lambda x: F.softplus(x, 2, 10), hardswish=F.hardswish,
                 hardsigmoid=F.hardsigmoid, leaky_relu=lambda x: F.leaky_relu(x, 0.2), elu=lambda x: F.elu(x, 1.5),
                 mish=F.mish, clamp=lambda x: x.clamp(-0.5, 0.75), clamp_min=lambda x: x.clamp(min=-1), clamp_max=lambda x: x.clamp(max=2), clamp_crossed=lambda x: x.clamp(1, -1),
                 dropout=lambda x: F.dropout(x, 0.3, False)).items():
    case(n, f, x=x)
case('masked_fill', lambda x, m: x.masked_fill(m, -inf), x=rnd('mf', 4, 5), m=torch.tensor([1, 0, 0, 1, 0]).bool())
case('linear', F.linear, x=rnd('li', 3, 5, 8), w=rnd('lw', 6, 8), b=rnd('lb', 6))
case('linear_vec', F.linear, x=rnd('lv', 8), w=rnd('lw', 6, 8))
s = dict(a=rnd('sa', 3, 4), b=rnd('sb', 3, 4), c=rnd('sc', 3, 4))
case('stack_dim1', lambda *t: torch.stack(t, 1), **s)
case('stack_last', lambda *t: torch.stack(t, -1), **s)
case('split_size', lambda x: torch.split(x, 3, 0), x=rnd('sp', 7, 4))
case('split_sections', lambda x: torch.split(x, [1, 3], 1), x=rnd('sp', 7, 4))
case('chunk', lambda x: torch.chunk(x, 3, -1), x=rnd('ch', 2, 8))
case('repeat', lambda x: x.repeat(2, 1, 3), x=rnd('rp', 2, 3))
case('flatten', lambda x: torch.flatten(x, 1, 2), x=rnd('fl', 2, 3, 4, 5))
open(f'{O}/goldens.bin', 'wb').write(B); open(f'{O}/manifest.txt', 'w').write('\n'.join(M) + '\n')
print(len(M), torch.__version__)
