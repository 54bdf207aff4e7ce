# Golden outputs of coil's composite ops from PyTorch, float64 math on float32 inputs.
# Run where torch is: python3 make_goldens.py OUTDIR (an existing folder). Writes OUTDIR/goldens.bin,
# every tensor raw little-endian one after the other (inputs float32, int64 or bool as uint8,
# outputs float64), and OUTDIR/manifest.txt, a line per tensor: case role name dtype shape byte-offset
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
        d = {torch.float32: 'f32', torch.float64: 'f64', torch.bool: 'b8', torch.int64: 'i64'}[t.dtype]
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
for n, f in dict(sigmoid=torch.sigmoid, gelu=F.gelu, gelu_tanh=lambda x: F.gelu(x, approximate='tanh'), silu=F.silu,
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
case('bmm', torch.bmm, a=rnd('ba', 2, 3, 4), b=rnd('bb', 2, 4, 5))
case('matmul_broadcast', torch.matmul, a=rnd('ma', 2, 1, 3, 4), b=rnd('mb', 5, 4, 2))
case('arange_float', lambda: torch.arange(0.5, 3, 0.25, dtype=torch.float64))
x = rnd('tri', 2, 4, 5)
case('tril', lambda x: torch.tril(x, -1), x=x)
case('triu', lambda x: torch.triu(x, 1), x=x)
case('embedding', F.embedding, ids=torch.tensor([[4, 0, 2], [2, 1, 3]]), w=rnd('emb', 5, 6))
case('index_select', lambda x, i: torch.index_select(x, 1, i), x=rnd('is', 3, 5), i=torch.tensor([4, 0, 0, 2]))
x = rnd('cs', 3, 7); x[1, 2] = inf; x[2, 4] = nan
case('cumsum', lambda x: torch.cumsum(x, 1), x=x)
case('cumprod', lambda x: torch.cumprod(x, 0), x=rnd('cp', 4, 5, s=1.5))
case('pad_constant', lambda x: F.pad(x, (1, 2, 0, 1), value=-1.5), x=rnd('pc', 2, 3, 4))
case('pad_reflect', lambda x: F.pad(x, (2, 1, 1, 2), mode='reflect'), x=rnd('pr', 1, 2, 4, 5))
case('conv1d', lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2), x=rnd('c1', 2, 4, 11), w=rnd('c1w', 6, 4, 3), b=rnd('c1b', 6))
case('conv1d_groups', lambda x, w: F.conv1d(x, w, groups=2), x=rnd('c1g', 1, 4, 9), w=rnd('c1gw', 6, 2, 4))
case('conv2d', lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2)), x=rnd('c2', 2, 3, 7, 8), w=rnd('c2w', 4, 3, 3, 2), b=rnd('c2b', 4))
case('conv2d_depthwise', lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=4), x=rnd('cd', 2, 4, 6, 6), w=rnd('cdw', 8, 1, 3, 3), b=rnd('cdb', 8))
x = rnd('mp', 2, 3, 7, 9); x[0, 1, 2, 3] = nan
case('max_pool2d', lambda x: F.max_pool2d(x, 2), x=x)
case('max_pool2d_pad', lambda x: F.max_pool2d(x, 3, stride=2, padding=1), x=rnd('mpp', 1, 2, 8, 7))
case('max_pool2d_dilation', lambda x: F.max_pool2d(x, (2, 3), stride=(1, 2), dilation=(2, 1)), x=rnd('mpd', 2, 7, 9))
case('avg_pool2d', lambda x: F.avg_pool2d(x, (2, 3)), x=rnd('ap', 2, 3, 6, 9))
case('avg_pool2d_pad', lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), x=rnd('app', 1, 2, 7, 8))
case('avg_pool2d_exclude_pad', lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), x=rnd('app', 1, 2, 7, 8))
case('adaptive_avg_pool2d', lambda x: F.adaptive_avg_pool2d(x, (3, 4)), x=rnd('aa', 2, 3, 7, 10))
case('adaptive_avg_pool2d_div', lambda x: F.adaptive_avg_pool2d(x, (2, 3)), x=rnd('aad', 2, 3, 6, 9))
case('adaptive_avg_pool2d_1', lambda x: F.adaptive_avg_pool2d(x, 1), x=rnd('aa1', 2, 3, 5, 7))
q, k, v = rnd('q', 2, 3, 5, 8), rnd('k', 2, 3, 6, 8), rnd('v', 2, 3, 6, 4)
case('sdpa', F.scaled_dot_product_attention, q=q, k=k, v=v)
case('sdpa_causal', lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), q=q, k=k, v=v)
m = rnd('bm', 5, 6) > -0.3; m[2] = False  # row 2 sees no key
case('sdpa_bool_mask', lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), q=q, k=k, v=v, m=m)
case('sdpa_float_mask_scale', lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.3), q=q, k=k, v=v, m=rnd('fm', 5, 6))
def freqs_of(S, Dh):  # LLaMA's precompute_freqs_cis angles, theta 10000, in float64
    return torch.outer(torch.arange(S, dtype=torch.float64), 1.0 / (10000.0 ** (torch.arange(0, Dh, 2, dtype=torch.float64) / Dh)))
def meta_rope(x, freqs):  # llama/model.py apply_rotary_emb: pairs as complex numbers
    xc = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2).contiguous())
    return torch.view_as_real(xc * torch.polar(torch.ones_like(freqs), freqs)).flatten(-2)
case('rope_interleaved', lambda x: meta_rope(x, freqs_of(6, 8)), x=rnd('ri', 2, 6, 8))
emb = torch.cat([freqs_of(6, 8)] * 2, -1)
case('rope_half', lambda x, c, s: x * c + torch.cat((-x[..., 4:], x[..., :4]), -1) * s, x=rnd('rh', 2, 6, 8), c=emb.cos().float(), s=emb.sin().float())
# model examples (examples/): weights shared between sizes, inputs per size
def transformer_block(x, ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2, H=4):
    B, S, D = x.shape
    q, k, v = F.linear(F.layer_norm(x, (D,), ln1w, ln1b), wqkv, bqkv).split(D, -1)
    q, k, v = [t.reshape(B, S, H, D // H).transpose(1, 2) for t in (q, k, v)]
    a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, S, D)
    x = x + F.linear(a, wo, bo)
    return x + F.linear(F.gelu(F.linear(F.layer_norm(x, (D,), ln2w, ln2b), w1, b1), approximate='tanh'), w2, b2)
tw = dict(ln1_w=1 + rnd('t1w', 16, s=0.1), ln1_b=rnd('t1b', 16, s=0.1), w_qkv=rnd('tqkv', 48, 16, s=0.25), b_qkv=rnd('tbqkv', 48, s=0.1),
          w_o=rnd('two', 16, 16, s=0.25), b_o=rnd('tbo', 16, s=0.1), ln2_w=1 + rnd('t2w', 16, s=0.1), ln2_b=rnd('t2b', 16, s=0.1),
          w_1=rnd('tw1', 64, 16, s=0.25), b_1=rnd('tb1', 64, s=0.1), w_2=rnd('tw2', 16, 64, s=0.125), b_2=rnd('tb2', 16, s=0.1))
for B_, S_ in [(2, 5), (1, 7), (3, 1)]:
    case(f'transformer_{B_}x{S_}', transformer_block, x=rnd(f'tx{B_}{S_}', B_, S_, 16), **tw)
def small_cnn(x, c1w, c1b, bn1m, bn1v, bn1w, bn1b, c2w, c2b, bn2m, bn2v, bn2w, bn2b, fw, fb):
    x = F.relu(F.batch_norm(F.conv2d(x, c1w, c1b, padding=1), bn1m, bn1v, bn1w, bn1b, eps=1e-5))
    x = F.max_pool2d(x, 2)
    x = F.relu(F.batch_norm(F.conv2d(x, c2w, c2b, padding=1), bn2m, bn2v, bn2w, bn2b, eps=1e-5))
    return F.linear(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1), fw, fb)
case('small_cnn', small_cnn, x=rnd('cx', 2, 3, 12, 12), c1_w=rnd('cc1w', 8, 3, 3, 3, s=0.3), c1_b=rnd('cc1b', 8, s=0.1),
     bn1_mean=rnd('cb1m', 8, s=0.1), bn1_var=rnd('cb1v', 8).abs() + 0.5, bn1_w=1 + rnd('cb1w', 8, s=0.1), bn1_b=rnd('cb1b', 8, s=0.1),
     c2_w=rnd('cc2w', 16, 8, 3, 3, s=0.2), c2_b=rnd('cc2b', 16, s=0.1), bn2_mean=rnd('cb2m', 16, s=0.1), bn2_var=rnd('cb2v', 16).abs() + 0.5,
     bn2_w=1 + rnd('cb2w', 16, s=0.1), bn2_b=rnd('cb2b', 16, s=0.1), fc_w=rnd('cfw', 10, 16, s=0.3), fc_b=rnd('cfb', 10, s=0.1))
def llama_block(x, attn_norm, wq, wk, wv, wo, ffn_norm, w1, w2, w3, H=2):
    B, S, D = x.shape; Dh = D // H; freqs = freqs_of(S, Dh)
    h = F.rms_norm(x, (D,), attn_norm, eps=1e-6)
    q, k, v = [F.linear(h, w).reshape(B, S, H, Dh).transpose(1, 2) for w in (wq, wk, wv)]
    a = F.scaled_dot_product_attention(meta_rope(q, freqs), meta_rope(k, freqs), v, is_causal=True)
    x = x + F.linear(a.transpose(1, 2).reshape(B, S, D), wo)
    h = F.rms_norm(x, (D,), ffn_norm, eps=1e-6)
    return x + F.linear(F.silu(F.linear(h, w1)) * F.linear(h, w3), w2)
case('llama_block', llama_block, x=rnd('lx', 2, 6, 16), attn_norm=1 + rnd('lan', 16, s=0.1), wq=rnd('lwq', 16, 16, s=0.25),
     wk=rnd('lwk', 16, 16, s=0.25), wv=rnd('lwv', 16, 16, s=0.25), wo=rnd('lwo', 16, 16, s=0.25), ffn_norm=1 + rnd('lfn', 16, s=0.1),
     w1=rnd('lw1', 48, 16, s=0.25), w2=rnd('lw2', 16, 48, s=0.15), w3=rnd('lw3', 48, 16, s=0.25))
open(f'{O}/goldens.bin', 'wb').write(B); open(f'{O}/manifest.txt', 'w').write('\n'.join(M) + '\n')
print(len(M), torch.__version__)
