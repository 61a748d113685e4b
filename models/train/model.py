"""Small Conformer-style CTC acoustic model for Hark (~6 M parameters).

  audio_signal [B, 80, T] log-mel (features.py), length [B]
  -> fixed global normaliser (x - mean) / std per mel bin (buffers, exported)
  -> Conv2d subsampling 4x in time and frequency (two 3x3 stride-2 convs,
     padding 1, ReLU), linear to d_model
  -> N Conformer blocks: FF/2 -> MHSA (padding masked) -> conv module
     (pointwise+GLU, depthwise k=15, LayerNorm, SiLU, pointwise) -> FF/2 -> LayerNorm
  -> linear to 29 classes -> log_softmax       (blank = 28, last)

Positional information: no explicit positional encoding. The subsampling
convs and the 12 depthwise convolutions (kernel 15 each, receptive field of
several seconds in total) give the attention layers relative position
implicitly (as in convolution-augmented transformers that drop the PE). This
keeps the graph length-independent and export-friendly: no sinusoid tables of
a maximum length, no relative-shift gather tricks, identical ops for any T.

Normalisation in the conv module is LayerNorm over channels (per frame)
instead of BatchNorm: no running statistics, no dependence on padding or
batch composition, exports as plain ops.

Padding: features beyond each length are zeroed after normalisation and after
each subsampling conv, attention masks padded keys, and the conv module zeroes
padded frames before the depthwise conv, so a sequence's output does not
depend on how much padding its batch has.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_CONFIG = dict(n_mels=80, d_model=144, n_layers=12, n_heads=4, ff_dim=576, conv_kernel=15,
                      sub_channels=144, dropout=0.1, num_classes=29, block_norm="pre")
SUBSAMPLING = 4


def output_lengths(lengths):
    """Frames after the two (kernel 3, stride 2, padding 1) convs:
    L -> floor((L - 1) / 2) + 1, twice. Works on tensors and ints."""
    for _ in range(2):
        if torch.is_tensor(lengths):
            lengths = torch.div(lengths - 1, 2, rounding_mode="floor") + 1
        else:
            lengths = (lengths - 1) // 2 + 1
    return lengths


def _f32(x):
    # Under bf16 autocast keep the residual stream and LayerNorm inputs in fp32
    # (a no-op, and no graph node, when exporting in fp32).
    return x if x.dtype == torch.float32 else x.float()


def _time_mask(lengths, T):
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]  # [B, T] bool


class FeedForward(nn.Module):
    def __init__(self, d, ff, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.l1 = nn.Linear(d, ff)
        self.l2 = nn.Linear(ff, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.drop(self.l2(self.drop(F.silu(self.l1(self.norm(x))))))


class SelfAttention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.h = heads
        self.dk = d // heads
        self.drop = nn.Dropout(dropout)

    def forward(self, x, key_bias):
        # x [B, T, d]; key_bias [B, 1, 1, T] (0 for valid keys, -10000 for padding)
        B, T, d = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(B, T, 3, self.h, self.dk).permute(2, 0, 3, 1, 4).unbind(0)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dk)) + key_bias
        att = self.drop(torch.softmax(scores.float(), dim=-1).to(v.dtype))
        y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, d)
        return self.drop(self.out(y))


class ConvModule(nn.Module):
    # Pointwise convolutions are Linear layers on [B, T, d] (same maths as
    # kernel-1 Conv1d) so the INT8 exporter quantises them as MatMul.
    def __init__(self, d, kernel, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.pw1 = nn.Linear(d, 2 * d)
        self.dw = nn.Conv1d(d, d, kernel, padding=kernel // 2, groups=d)
        self.dw_norm = nn.LayerNorm(d)
        self.pw2 = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask_f):
        # x [B, T, d]; mask_f [B, T, 1] float
        y = F.glu(self.pw1(self.norm(x)), dim=-1) * mask_f
        y = self.dw(y.transpose(1, 2)).transpose(1, 2)
        y = self.pw2(F.silu(self.dw_norm(_f32(y))))
        return self.drop(y)


class ConformerBlock(nn.Module):
    """post_norm=True: the Conformer paper's block (LayerNorm on the block's
    output, so the residual stream is renormalised every block: needs a long
    warm-up). post_norm=False: pure pre-norm residual blocks (every module
    normalises its own input; one LayerNorm after the last block), which
    trains stably from scratch with a short warm-up."""

    def __init__(self, d, heads, ff, kernel, dropout, post_norm=True):
        super().__init__()
        self.ff1 = FeedForward(d, ff, dropout)
        self.att = SelfAttention(d, heads, dropout)
        self.conv = ConvModule(d, kernel, dropout)
        self.ff2 = FeedForward(d, ff, dropout)
        self.norm = nn.LayerNorm(d) if post_norm else None

    def forward(self, x, key_bias, mask_f):
        x = x + 0.5 * self.ff1(x)
        x = x + self.att(x, key_bias)
        x = x + self.conv(x, mask_f)
        x = x + 0.5 * self.ff2(x)
        return self.norm(x) if self.norm is not None else x


class HarkCTC(nn.Module):
    def __init__(self, **cfg):
        super().__init__()
        c = dict(DEFAULT_CONFIG)
        c.update(cfg)
        self.config = c
        d, ch = c["d_model"], c["sub_channels"]
        self.register_buffer("feat_mean", torch.zeros(c["n_mels"]))
        self.register_buffer("feat_std", torch.ones(c["n_mels"]))
        self.conv1 = nn.Conv2d(1, ch, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        f = output_lengths(c["n_mels"])
        self.sub_out = nn.Linear(ch * f, d)
        self.sub_drop = nn.Dropout(c["dropout"])
        post = c.get("block_norm", "post") == "post"
        self.blocks = nn.ModuleList([ConformerBlock(d, c["n_heads"], c["ff_dim"], c["conv_kernel"], c["dropout"], post)
                                     for _ in range(c["n_layers"])])
        self.final_norm = None if post else nn.LayerNorm(d)
        self.head = nn.Linear(d, c["num_classes"])

    def _out_norm(self, x):
        return self.final_norm(_f32(x)) if self.final_norm is not None else x

    def set_normaliser(self, mean, std):
        self.feat_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.feat_std.copy_(torch.as_tensor(std, dtype=torch.float32).clamp_min(1e-3))

    @staticmethod
    def output_lengths(lengths):
        return output_lengths(lengths)

    def forward(self, audio_signal, length, inter_layer=0):
        """audio_signal [B, 80, T] float, length [B] int64 ->
        (logprobs [B, T', 29] float32, encoded_lengths [B] int64).
        With inter_layer = k > 0 (training only) also returns the log-probs of
        the shared output head applied after block k (intermediate CTC: a
        direct gradient path to the lower blocks, which keeps them from
        collapsing to a time-constant representation early in training)."""
        x = (audio_signal - self.feat_mean[None, :, None]) / self.feat_std[None, :, None]
        T = x.shape[2]
        m0 = _time_mask(length, T).to(x.dtype)  # [B, T]
        x = (x * m0[:, None, :]).transpose(1, 2).unsqueeze(1)  # [B, 1, T, F]
        l1 = output_lengths_one(length)
        x = F.relu(self.conv1(x))
        x = x * _time_mask(l1, x.shape[2]).to(x.dtype)[:, None, :, None]
        l2 = output_lengths_one(l1)
        x = F.relu(self.conv2(x))
        B, C, T2, F2 = x.shape
        x = x.transpose(1, 2).reshape(B, T2, C * F2)
        x = _f32(self.sub_drop(self.sub_out(x)))
        valid = _time_mask(l2, T2)  # [B, T2] bool
        mask_f = valid.to(x.dtype)[:, :, None]
        key_bias = ((1.0 - valid.to(x.dtype)) * -10000.0)[:, None, None, :]
        inter = None
        for i, blk in enumerate(self.blocks):
            x = blk(x, key_bias, mask_f)
            if i + 1 == inter_layer:
                inter = F.log_softmax(self.head(self._out_norm(x)).float(), dim=-1)
        logits = self.head(self._out_norm(x)).float()
        if inter_layer:
            return F.log_softmax(logits, dim=-1), l2, inter
        return F.log_softmax(logits, dim=-1), l2


def output_lengths_one(lengths):
    return torch.div(lengths - 1, 2, rounding_mode="floor") + 1


def count_params(model):
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    m = HarkCTC()
    print("params: %.2f M" % (count_params(m) / 1e6))
    x = torch.randn(3, 80, 301)
    lens = torch.tensor([301, 200, 17])
    m.eval()
    lp, ol = m(x, lens)
    print(lp.shape, ol.tolist(), [output_lengths(int(l)) for l in lens])
    # padding independence
    lp1, _ = m(x[1:2, :, :200], lens[1:2])
    print("pad-independence max diff %.2e" % (lp[1, :int(ol[1])] - lp1[0]).abs().max().item())


# ---------------------------------------------------------------- checkpoints

def save_checkpoint(path, model, step=0, extra=None, optimizer=None):
    """Weights as fp16 (normaliser buffers kept fp32), config, step count."""
    sd = {}
    for k, v in model.state_dict().items():
        if k in ("feat_mean", "feat_std") or not torch.is_floating_point(v):
            sd[k] = v.detach().cpu().clone()
        else:
            sd[k] = v.detach().cpu().half()
    ck = {"format": "hark-ctc-v1", "config": dict(model.config), "model": sd, "step": int(step),
          "extra": dict(extra or {})}
    if optimizer is not None:
        ck["optimizer"] = optimizer.state_dict()
    tmp = path + ".tmp"
    torch.save(ck, tmp)
    import os
    os.replace(tmp, path)


def load_checkpoint(path, map_location="cpu"):
    """Returns (model in fp32, checkpoint dict)."""
    try:
        ck = torch.load(path, map_location=map_location, weights_only=False)
    except TypeError:  # older torch without weights_only
        ck = torch.load(path, map_location=map_location)
    cfg = dict(ck["config"])
    cfg.setdefault("block_norm", "post")  # checkpoints from before the option
    model = HarkCTC(**cfg)
    sd = {k: (v.float() if torch.is_floating_point(v) else v) for k, v in ck["model"].items()}
    model.load_state_dict(sd)
    return model, ck
